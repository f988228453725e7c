/// The body of `POST /api/tests/{testId}/run` and `POST /api/testsuites/{testSuiteId}/run`.
public struct RunInformation: Codable, Sendable, Equatable {
    public var variableSetID: String
    /// Inline values; they override the variable set's.
    public var variables: [KeyValue]
    public var metadata: [String: String]
    /// Nil: the TestRunner's default gates; empty: no gate required.
    public var requiredGates: [String]?

    public init(
        variableSetID: String = "", variables: [KeyValue] = [], metadata: [String: String] = [:],
        requiredGates: [String]? = nil
    ) {
        self.variableSetID = variableSetID
        self.variables = variables
        self.metadata = metadata
        self.requiredGates = requiredGates
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case variableSetID = "variableSetId", variables, metadata, requiredGates, runGroupId
    }

    /// One inline variable; `type` is accepted and ignored.
    struct Variable: Decodable {
        var key: String
        var value: String

        enum CodingKeys: String, CodingKey, CaseIterable { case key, value, type }

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            key = try c.value(.key, or: "")
            value = try c.value(.value, or: "")
        }
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        variableSetID = try c.value(.variableSetID, or: "")
        variables = try c.value(.variables, or: [Variable]()).map { KeyValue(key: $0.key, value: $0.value) }
        metadata = try c.value(.metadata, or: [:])
        requiredGates = try c.decodeIfPresent([String].self, forKey: .requiredGates)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variableSetID, forKey: .variableSetID)
        try c.encode(variables, forKey: .variables)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(requiredGates, forKey: .requiredGates)
    }
}

/// The 422 body listing variables a run needs and did not get.
public struct MissingVariablesError: Codable, Sendable, Equatable {
    public var missingVariables: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public var testID: String
        public var variables: [Variable]

        enum CodingKeys: String, CodingKey { case testID = "testId", variables }

        public init(testID: String, variables: [Variable]) {
            self.testID = testID
            self.variables = variables
        }
    }

    public struct Variable: Codable, Sendable, Equatable {
        public var key: String
        /// The value the latest run of this test version used, if any.
        public var defaultValue: String?

        public init(key: String, defaultValue: String? = nil) {
            self.key = key
            self.defaultValue = defaultValue
        }
    }

    public init(missingVariables: [Entry]) {
        self.missingVariables = missingVariables
    }
}

/// One run of a test suite: its step runs in order and the variables they shared.
public struct TestSuiteRun: Codable, Sendable, Equatable {
    public var id: Int
    public var testSuiteID: String
    public var version: Int
    public var createdAt: Timestamp
    public var completedAt: Timestamp
    /// `CREATED`, `EXECUTING`, `FINISHED` or `FAILED`.
    public var state: String
    public var steps: [TestRun]
    public var stepRunIDs: [StepRef]
    public var variableSet: RunVariableSet
    public var metadata: [String: String]
    public var requiredGates: [String]?
    public var lastError: String

    /// A step run, stored as a reference.
    public struct StepRef: Codable, Sendable, Equatable {
        public var testID: String
        public var runID: Int

        public init(testID: String, runID: Int) {
            self.testID = testID
            self.runID = runID
        }
    }

    public init(
        id: Int, testSuiteID: String, version: Int, variableSet: RunVariableSet, metadata: [String: String],
        requiredGates: [String]?, createdAt: Timestamp = .now()
    ) {
        self.id = id
        self.testSuiteID = testSuiteID
        self.version = version
        self.createdAt = createdAt
        self.completedAt = .zero
        self.state = "CREATED"
        self.steps = []
        self.stepRunIDs = []
        self.variableSet = variableSet
        self.metadata = metadata
        self.requiredGates = requiredGates
        self.lastError = ""
    }

    public var isFinal: Bool { state == "FINISHED" || state == "FAILED" }

    public var pass: Int { steps.reduce(0) { $0 + $1.passCount } }
    public var fail: Int { steps.reduce(0) { $0 + $1.failCount } }
    public var allStepsRequiredGatesPassed: Bool { !steps.isEmpty && steps.allSatisfy(\.requiredGatesResult.passed) }

    enum CodingKeys: String, CodingKey {
        case id, version, createdAt, completedAt, state, steps, variableSet, metadata, pass, fail,
            allStepsRequiredGatesPassed, lastErrorState
        case testSuiteId, stepRunIds, requiredGates
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(state, forKey: .state)
        try c.encode(steps, omittingEmptyForKey: .steps)
        try c.encode(variableSet, forKey: .variableSet)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(pass, forKey: .pass)
        try c.encode(fail, forKey: .fail)
        try c.encode(allStepsRequiredGatesPassed, omittingEmptyForKey: .allStepsRequiredGatesPassed)
        try c.encode(lastError, omittingEmptyForKey: .lastErrorState)
    }

    /// The stored form: the wire fields without step runs, plus their references and the requested gates.
    public struct Stored: Codable, Sendable {
        public var run: TestSuiteRun

        public init(_ run: TestSuiteRun) {
            self.run = run
        }

        enum Keys: String, CodingKey { case run, testSuiteId, stepRunIds, requiredGates }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var withoutSteps = run
            withoutSteps.steps = []
            try c.encode(withoutSteps, forKey: .run)
            try c.encode(run.testSuiteID, forKey: .testSuiteId)
            try c.encode(run.stepRunIDs, forKey: .stepRunIds)
            try c.encodeIfPresent(run.requiredGates, forKey: .requiredGates)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            run = try c.decode(TestSuiteRun.self, forKey: .run)
            run.testSuiteID = try c.decode(String.self, forKey: .testSuiteId)
            run.stepRunIDs = try c.value(.stepRunIds, or: [])
            run.requiredGates = try c.decodeIfPresent([String].self, forKey: .requiredGates)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: 0)
        testSuiteID = ""
        version = try c.value(.version, or: 0)
        createdAt = try c.value(.createdAt, or: .zero)
        completedAt = try c.value(.completedAt, or: .zero)
        state = try c.value(.state, or: "CREATED")
        steps = []
        stepRunIDs = []
        variableSet = try c.value(.variableSet, or: RunVariableSet())
        metadata = try c.value(.metadata, or: [:])
        requiredGates = nil
        lastError = try c.value(.lastErrorState, or: "")
    }
}
