/// A step of a run's history, as `GET .../events` lists them.
package struct RunEvent: Codable, Sendable, Equatable {
    package var type: String
    /// `trigger`, `trace` or `test`.
    package var stage: String
    package var title: String
    package var description: String
    package var createdAt: Timestamp
    package var testID: String
    package var runID: Int
    package var dataStoreConnection: WireValue?
    package var polling: Polling?
    package var outputs: [Output]

    /// Progress of trace polling.
    package struct Polling: Codable, Sendable, Equatable {
        package var type: String
        package var isComplete: Bool
        package var periodic: Periodic

        package struct Periodic: Codable, Sendable, Equatable {
            package var numberSpans: Int
            package var numberIterations: Int
        }

        package init(isComplete: Bool, numberSpans: Int, numberIterations: Int) {
            type = "periodic"
            self.isComplete = isComplete
            periodic = Periodic(numberSpans: numberSpans, numberIterations: numberIterations)
        }
    }

    package struct Output: Codable, Sendable, Equatable {
        package var logLevel: String
        package var message: String
        package var outputName: String
    }

    package init(
        _ kind: RunEventKind,
        testID: String,
        runID: Int,
        description: String? = nil,
        title: String? = nil,
        polling: Polling? = nil,
        createdAt: Timestamp = .now()
    ) {
        type = kind.rawValue
        stage = kind.stage
        self.title = title ?? kind.title
        self.description = description ?? kind.defaultDescription
        self.createdAt = createdAt
        self.testID = testID
        self.runID = runID
        self.polling = polling
        self.dataStoreConnection = nil
        self.outputs = []
    }

    enum CodingKeys: String, CodingKey {
        case type, stage, title, description, createdAt, testID = "testId", runID = "runId", dataStoreConnection,
            polling, outputs
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(stage, forKey: .stage)
        try c.encode(title, forKey: .title)
        try c.encode(description, forKey: .description)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(testID, forKey: .testID)
        try c.encode(runID, forKey: .runID)
        try c.encode(dataStoreConnection ?? .object([:]), forKey: .dataStoreConnection)
        if let polling {
            try c.encode(polling, forKey: .polling)
        } else {
            try c.encode(WireValue.object([:]), forKey: .polling)
        }
        try c.encode(outputs, forKey: .outputs)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: "")
        stage = try c.value(.stage, or: "")
        title = try c.value(.title, or: "")
        description = try c.value(.description, or: "")
        createdAt = try c.value(.createdAt, or: .zero)
        testID = try c.value(.testID, or: "")
        runID = try c.value(.runID, or: 0)
        dataStoreConnection = try c.decodeIfPresent(WireValue.self, forKey: .dataStoreConnection)
        polling = try? c.decodeIfPresent(Polling.self, forKey: .polling)
        outputs = try c.value(.outputs, or: [])
    }
}

/// The event types of a run, with their stage and title (engine-telemetry.md §1.10).
package enum RunEventKind: String, Sendable, CaseIterable {
    case createdInfo = "CREATED_INFO"
    case resolveStart = "RESOLVE_START"
    case resolveSuccess = "RESOLVE_SUCCESS"
    case resolveError = "RESOLVE_ERROR"
    case executionStart = "EXECUTION_START"
    case executionSuccess = "EXECUTION_SUCCESS"
    case executionError = "EXECUTION_ERROR"
    case httpUnreachableHostError = "HTTP_UNREACHABLE_HOST_ERROR"
    case grpcUnreachableHostError = "GRPC_UNREACHABLE_HOST_ERROR"
    case dockerComposeHostMismatchError = "DOCKER_COMPOSE_HOST_MISMATCH_ERROR"
    case fetchingStart = "FETCHING_START"
    case dataStoreConnectionInfo = "DATA_STORE_CONNECTION_INFO"
    case pollingStart = "POLLING_START"
    case pollingIterationInfo = "POLLING_ITERATION_INFO"
    case otlpServerReceivedSpans = "OTLP_SERVER_RECEIVED_SPANS"
    case pollingSuccess = "POLLING_SUCCESS"
    case pollingSkipped = "POLLING_SKIPPED"
    case pollingError = "POLLING_ERROR"
    case fetchingSuccess = "FETCHING_SUCCESS"
    case fetchingError = "FETCHING_ERROR"
    case stoppedInfo = "STOPPED_INFO"
    case traceLinterStart = "TRACE_LINTER_START"
    case traceLinterSkipped = "TRACE_LINTER_SKIPPED"
    case traceLinterSuccess = "TRACE_LINTER_SUCCESS"
    case traceLinterError = "TRACE_LINTER_ERROR"
    case testSpecsRunStart = "TEST_SPECS_RUN_START"
    case outputGenerationWarning = "OUTPUT_GENERATION_WARNING"
    case testSpecsAssertionWarning = "TEST_SPECS_ASSERTION_WARNING"
    case testSpecsRunSuccess = "TEST_SPECS_RUN_SUCCESS"
    case testSpecsRunError = "TEST_SPECS_RUN_ERROR"
    case testSpecsRunPersistenceError = "TEST_SPECS_RUN_PERSISTENCE_ERROR"

    package var stage: String {
        switch self {
        case .createdInfo, .resolveStart, .resolveSuccess, .resolveError, .executionStart, .executionSuccess,
            .executionError, .httpUnreachableHostError, .grpcUnreachableHostError, .dockerComposeHostMismatchError:
            "trigger"
        case .testSpecsRunStart, .outputGenerationWarning, .testSpecsAssertionWarning, .testSpecsRunSuccess,
            .testSpecsRunError, .testSpecsRunPersistenceError:
            "test"
        default: "trace"
        }
    }

    package var title: String {
        switch self {
        case .createdInfo: "Trigger created"
        case .resolveStart: "Resolving trigger details started"
        case .resolveSuccess: "Resolving trigger details succeeded"
        case .resolveError: "Resolving trigger details failed"
        case .executionStart: "Trigger execution started"
        case .executionSuccess: "Trigger execution succeeded"
        case .executionError: "Trigger execution failed"
        case .httpUnreachableHostError, .grpcUnreachableHostError: "Unreachable host in the trigger"
        case .dockerComposeHostMismatchError: "Docker compose mismatch error"
        case .fetchingStart: "Trace fetching started"
        case .dataStoreConnectionInfo: "Data store test connection executed"
        case .pollingStart: "Trace polling started"
        case .pollingIterationInfo: "Trace polling iteration executed"
        case .otlpServerReceivedSpans: "OTLP server endpoint received spans"
        case .pollingSuccess: "Trace polling strategy succeeded"
        case .pollingSkipped: "Trace polling has been skipped"
        case .pollingError: "Trace polling strategy failed"
        case .fetchingSuccess: "Trace fetching succeeded"
        case .fetchingError: "Trace fetching failed"
        case .stoppedInfo: "Test run stopped"
        case .traceLinterStart: "Trace linter started"
        case .traceLinterSkipped: "Trace linter skipped"
        case .traceLinterSuccess: "Trace linter succeeded"
        case .traceLinterError: "Trace linter error"
        case .testSpecsRunStart: "Test specs started"
        case .outputGenerationWarning: "Output not generated"
        case .testSpecsAssertionWarning: "Assertion failed"
        case .testSpecsRunSuccess: "Test specs succeeded"
        case .testSpecsRunError: "Test specs failed"
        case .testSpecsRunPersistenceError: "Test specs persistence error"
        }
    }

    /// A description in our words, for events that carry no details.
    var defaultDescription: String {
        switch self {
        case .createdInfo: "The run was created"
        case .resolveStart: "Resolving the trigger's variables"
        case .resolveSuccess: "The trigger's variables were resolved"
        case .executionStart: "Executing the trigger"
        case .executionSuccess: "The trigger was executed"
        case .fetchingStart: "Fetching the trace from the data store"
        case .fetchingSuccess: "The trace was fetched"
        case .stoppedInfo: "The run was stopped by the user"
        case .traceLinterStart: "Analyzing the trace"
        case .traceLinterSkipped: "The analyzer is disabled"
        case .traceLinterSuccess: "The trace was analyzed"
        case .testSpecsRunStart: "Evaluating the test specs"
        case .testSpecsRunSuccess: "The test specs were evaluated"
        default: title
        }
    }
}
