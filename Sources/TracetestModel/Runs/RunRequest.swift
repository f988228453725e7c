/// The body of `POST /api/tests/{testId}/run` and `POST /api/testsuites/{testSuiteId}/run`.
package struct RunInformation: Codable, Sendable, Equatable {
    package var variableSetID: String
    /// Inline values; they override the variable set's.
    package var variables: [KeyValue]
    package var metadata: [String: String]
    /// Nil: the TestRunner's default gates; empty: no gate required.
    package var requiredGates: [String]?

    package init(
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

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        variableSetID = try c.value(.variableSetID, or: "")
        variables = try c.value(.variables, or: [Variable]()).map { KeyValue(key: $0.key, value: $0.value) }
        metadata = try c.value(.metadata, or: [:])
        requiredGates = try c.decodeIfPresent([String].self, forKey: .requiredGates)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variableSetID, forKey: .variableSetID)
        try c.encode(variables, forKey: .variables)
        try c.encode(metadata, forKey: .metadata)
        try c.encodeIfPresent(requiredGates, forKey: .requiredGates)
    }
}

/// The 422 body listing variables a run needs and did not get.
package struct MissingVariablesError: Codable, Sendable, Equatable {
    package var missingVariables: [Entry]

    package struct Entry: Codable, Sendable, Equatable {
        package var testID: String
        package var variables: [Variable]

        enum CodingKeys: String, CodingKey { case testID = "testId", variables }

        package init(testID: String, variables: [Variable]) {
            self.testID = testID
            self.variables = variables
        }
    }

    package struct Variable: Codable, Sendable, Equatable {
        package var key: String
        /// The value the latest run of this test version used, if any.
        package var defaultValue: String?

        package init(key: String, defaultValue: String? = nil) {
            self.key = key
            self.defaultValue = defaultValue
        }
    }

    package init(missingVariables: [Entry]) {
        self.missingVariables = missingVariables
    }
}

/// One run of a test suite: its step runs in order and the variables they shared.
package struct TestSuiteRun: Codable, Sendable, Equatable {
    package var id: Int
    package var testSuiteID: String
    package var version: Int
    package var createdAt: Timestamp
    package var completedAt: Timestamp
    /// `CREATED`, `EXECUTING`, `FINISHED` or `FAILED`.
    package var state: String
    package var steps: [TestRun]
    package var stepRunIDs: [StepRef]
    package var variableSet: RunVariableSet
    package var metadata: [String: String]
    package var requiredGates: [String]?
    package var lastError: String

    /// A step run, stored as a reference.
    package struct StepRef: Codable, Sendable, Equatable {
        package var testID: String
        package var runID: Int

        package init(testID: String, runID: Int) {
            self.testID = testID
            self.runID = runID
        }
    }

    package init(
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

    package var isFinal: Bool { state == "FINISHED" || state == "FAILED" }

    /// Span-level assertion results that passed and that failed, over the steps that have ended (the engine adds
    /// each step's as it ends; the suite's summary reads them).
    package var pass = 0
    package var fail = 0
    package var allStepsRequiredGatesPassed: Bool { !steps.isEmpty && steps.allSatisfy(\.requiredGatesResult.passed) }

    enum CodingKeys: String, CodingKey {
        case id, version, createdAt, completedAt, state, steps, variableSet, metadata, pass, fail,
            allStepsRequiredGatesPassed, lastErrorState
        case testSuiteId, stepRunIds, requiredGates
    }

    package func encode(to encoder: any Encoder) throws {
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
    package struct Stored: Codable, Sendable {
        package var run: TestSuiteRun

        package init(_ run: TestSuiteRun) {
            self.run = run
        }

        enum Keys: String, CodingKey { case run, testSuiteId, stepRunIds, requiredGates }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var withoutSteps = run
            withoutSteps.steps = []
            try c.encode(withoutSteps, forKey: .run)
            try c.encode(run.testSuiteID, forKey: .testSuiteId)
            try c.encode(run.stepRunIDs, forKey: .stepRunIds)
            try c.encodeIfPresent(run.requiredGates, forKey: .requiredGates)
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            run = try c.decode(TestSuiteRun.self, forKey: .run)
            run.testSuiteID = try c.decode(String.self, forKey: .testSuiteId)
            run.stepRunIDs = try c.value(.stepRunIds, or: [])
            run.requiredGates = try c.decodeIfPresent([String].self, forKey: .requiredGates)
        }
    }

    package init(from decoder: any Decoder) throws {
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
        pass = try c.value(.pass, or: 0)
        fail = try c.value(.fail, or: 0)
        requiredGates = nil
        lastError = try c.value(.lastErrorState, or: "")
    }
}
