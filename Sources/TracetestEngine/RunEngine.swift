import Logging
import ServiceLifecycle
import TracetestIngest
import TracetestLanguage
import TracetestModel
import TracetestStorage
import TracetestTelemetry

/// Why a run cannot start; the server turns these into 404, 400 and 422 answers.
package enum RunRequestError: Error, Sendable, CustomStringConvertible {
    case testNotFound(String)
    case testSuiteNotFound(String)
    case variableSetNotFound(String)
    case runNotFound(testID: String, runID: Int)
    case unknownGate(String)
    case missingVariables(MissingVariablesError)

    package var description: String {
        switch self {
        case .testNotFound(let id): "test \(id) not found"
        case .testSuiteNotFound(let id): "test suite \(id) not found"
        case .variableSetNotFound(let id): "variable set \(id) not found"
        case .runNotFound(let testID, let runID): "run \(runID) of test \(testID) not found"
        case .unknownGate(let gate):
            "unknown required gate \"\(gate)\" (use any of: \(TestRunner.gates.joined(separator: ", ")))"
        case .missingVariables(let error):
            "missing variables: \(error.missingVariables.flatMap(\.variables).map(\.key).joined(separator: ", "))"
        }
    }
}

/// Runs tests and test suites: starts runs, executes them in the background (a bounded number at a time), answers
/// stop and skip-polling requests, and after a restart resumes or ends the runs that were in flight, so no run stays
/// unfinished. Runs are rows in the database; this actor only tracks the ones executing in this process.
package actor RunEngine: Service {
    let store: Store
    let spans: SpanStore
    let triggers: any Triggerer
    let analyzer: (any TraceAnalyzing)?
    let pipeline: PipelineTelemetry
    package nonisolated let updates = RunUpdates()
    let logger: Logger
    let maxParallelRuns: Int
    let beforeRecovery: @Sendable () async throws -> Void

    struct RunKey: Hashable, Sendable {
        var testID: String
        var runID: Int
    }

    private struct ActiveRun {
        var task: Task<TestRun?, Never>
        var skip: SkipRequests
    }

    private var active: [RunKey: ActiveRun] = [:]
    /// A run waiting for a free slot, with the context its first span attaches to.
    private struct Pending {
        var key: RunKey
        var rerun: Bool
        var parent: TelemetryContext
    }

    private var queued: [Pending] = []
    private var completionWaiters: [RunKey: [CheckedContinuation<TestRun?, Never>]] = [:]
    private var suiteTasks: [Task<Void, Never>] = []

    /// - Parameters:
    ///   - telemetry: the server's own telemetry: pipeline spans, the `Tracetest trigger` span, worker metrics.
    ///   - maxParallelRuns: runs executing at once; later ones wait in order.
    ///   - beforeRecovery: awaited before unfinished runs are resumed (the server's start-up).
    package init(
        store: Store, spans: SpanStore, triggers: any Triggerer, analyzer: (any TraceAnalyzing)?,
        telemetry: Telemetry = .disabled, maxParallelRuns: Int = 32, logger: Logger,
        beforeRecovery: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.beforeRecovery = beforeRecovery
        self.pipeline = PipelineTelemetry(telemetry: telemetry)
        self.store = store
        self.spans = spans
        self.triggers = triggers
        self.analyzer = analyzer
        self.maxParallelRuns = max(1, maxParallelRuns)
        self.logger = logger
    }

    var recorder: RunRecorder { RunRecorder(store: store, updates: updates, logger: logger) }

    // MARK: Service

    /// Resumes or ends what a previous process left unfinished (once `beforeRecovery` returned), then runs until
    /// shutdown, when the runs still executing are cancelled: they stay in the database for the next start.
    package func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.beforeRecovery() }
        await recover()
        try? await gracefulShutdown()
        for run in active.values { run.task.cancel() }
        for task in suiteTasks { task.cancel() }
        for run in active.values { _ = await run.task.value }
        await triggers.shutdown()
    }

    // MARK: Starting runs

    /// Creates a run of the test's latest version and starts it; the run comes back in state `CREATED`.
    package func runTest(
        _ testID: String, _ information: RunInformation, suite: (id: String, runID: Int)? = nil
    ) async throws -> TestRun {
        guard let test = try await store.tests.get(testID) else { throw RunRequestError.testNotFound(testID) }
        let requiredGates = try await gates(information.requiredGates)
        let variables = try await variableSet(for: information)
        let missing = MissingVariables.detect(in: test, available: Set(variables.lookup.keys))
        if !missing.isEmpty {
            let previous = try await store.runs.latest(testID: testID, version: test.version ?? 1)?.variableSet.lookup
            throw RunRequestError.missingVariables(
                MissingVariablesError(missingVariables: [
                    .init(testID: testID, variables: missing.map { .init(key: $0, defaultValue: previous?[$0]) })
                ]))
        }
        var run = TestRun(
            id: 0, testID: testID, testVersion: test.version ?? 1, variableSet: variables,
            metadata: information.metadata, requiredGates: requiredGates,
            skipTraceCollection: test.skipTraceCollection)
        if let suite {
            run.testSuiteID = suite.id
            run.testSuiteRunID = suite.runID
        }
        run = try await store.runs.create(run)
        await recorder.emit(.createdInfo, run)
        launch(Pending(key: RunKey(testID: testID, runID: run.id), rerun: false, parent: .current))
        return run
    }

    /// A new run with the trace, trigger result and variables of `runID`, re-evaluating outputs and specs only.
    package func rerun(testID: String, runID: Int) async throws -> TestRun {
        guard let test = try await store.tests.get(testID) else { throw RunRequestError.testNotFound(testID) }
        guard let previous = try await store.runs.get(testID: testID, runID: runID),
            let trace = try await store.runs.trace(testID: testID, runID: runID)
        else { throw RunRequestError.runNotFound(testID: testID, runID: runID) }
        var run = TestRun(
            id: 0, testID: testID, testVersion: test.version ?? 1, traceID: previous.traceID, spanID: previous.spanID,
            variableSet: previous.variableSet, metadata: previous.metadata,
            requiredGates: previous.requiredGatesResult.required, skipTraceCollection: previous.skipTraceCollection)
        run.resolvedTrigger = previous.resolvedTrigger
        run.triggerResult = previous.triggerResult
        run.serviceTriggeredAt = previous.serviceTriggeredAt
        run.serviceTriggerCompletedAt = previous.serviceTriggerCompletedAt
        run.linter = previous.linter
        run = try await store.runs.create(run)
        try await store.runs.saveTrace(trace, of: run)
        await recorder.emit(.createdInfo, run)
        launch(Pending(key: RunKey(testID: testID, runID: run.id), rerun: true, parent: .current))
        return run
    }

    /// Stops the run if it has not ended: `STOPPED`, `completedAt`, and a `STOPPED_INFO` event. Returns at once.
    package func stop(testID: String, runID: Int) {
        let key = RunKey(testID: testID, runID: runID)
        let task = active[key]?.task
        pipeline.tracer.startSpan(SpanName.userRequestedStopRun).end()
        task?.cancel()
        queued.removeAll { $0.key == key }
        let recorder = self.recorder
        Task {
            _ = await task?.value
            guard var run = try? await recorder.store.runs.get(testID: testID, runID: runID), !run.state.isTerminal
            else { return }
            do {
                try await recorder.update(&run) {
                    $0.state = .stopped
                    $0.completedAt = .now()
                }
                await recorder.emit(.stoppedInfo, run)
            } catch {
                recorder.logger.error("cannot stop run \(testID)/\(runID): \(error)")
            }
            self.finished(key, run)
        }
    }

    /// Ends the wait for the run's trace with the spans received so far.
    package func skipPolling(testID: String, runID: Int) {
        active[RunKey(testID: testID, runID: runID)]?.skip.request()
    }

    /// The run once it has ended (nil if it was deleted).
    package func completion(testID: String, runID: Int) async -> TestRun? {
        let key = RunKey(testID: testID, runID: runID)
        if active[key] == nil, !queued.contains(where: { $0.key == key }) {
            let run = try? await store.runs.get(testID: testID, runID: runID)
            if run == nil || run?.state.isTerminal == true { return run }
        }
        return await withCheckedContinuation { completionWaiters[key, default: []].append($0) }
    }

    // MARK: Execution

    /// Starts the run now, or once a slot is free.
    private func launch(_ pending: Pending) {
        pipeline.metrics.recordEnqueue(queue: "")
        if active.count < maxParallelRuns {
            start(pending)
        } else {
            queued.append(pending)
        }
    }

    private func start(_ pending: Pending) {
        let (key, rerun) = (pending.key, pending.rerun)
        let skip = SkipRequests()
        pipeline.metrics.recordListen(queue: "")
        let task = Task { [store, spans, triggers, analyzer, recorder, logger, pipeline] () -> TestRun? in
            do {
                guard let test = try await store.tests.get(key.testID),
                    var run = try await store.runs.get(testID: key.testID, runID: key.runID)
                else { return nil }
                if rerun {
                    try await recorder.update(&run) { $0.state = .analyzingTrace }
                }
                var execution = RunExecution(
                    test: test, run: run, recorder: recorder, spans: spans, triggers: triggers, analyzer: analyzer,
                    skip: skip, pipeline: pipeline, parent: pending.parent)
                return try await execution.execute()
            } catch is CancellationError {
                return nil
            } catch {
                if Task.isCancelled { return nil }
                logger.error("run \(key.testID)/\(key.runID) failed: \(error)")
                return await Self.failUnexpectedly(key, error, recorder: recorder)
            }
        }
        active[key] = ActiveRun(task: task, skip: skip)
        Task {
            let final = await task.value
            self.finished(key, final)
        }
    }

    private func finished(_ key: RunKey, _ run: TestRun?) {
        active[key] = nil
        if let run, run.state.isTerminal { pipeline.metrics.countFinishedRun(state: run.state.rawValue) }
        for waiter in completionWaiters.removeValue(forKey: key) ?? [] { waiter.resume(returning: run) }
        while active.count < maxParallelRuns, !queued.isEmpty {
            start(queued.removeFirst())
        }
    }

    /// Ends a run an unexpected error interrupted (the database went away, say) in the failure state of its step.
    private static func failUnexpectedly(_ key: RunKey, _ error: any Error, recorder: RunRecorder) async -> TestRun? {
        guard var run = try? await recorder.store.runs.get(testID: key.testID, runID: key.runID),
            !run.state.isTerminal
        else { return nil }
        let state: RunState =
            switch run.state {
            case .created, .executing: .triggerFailed
            case .awaitingTrace: .traceFailed
            default: .assertionFailed
            }
        try? await recorder.update(&run) {
            $0.state = state
            $0.lastErrorState = "internal error: \(error)"
            $0.completedAt = .now()
        }
        return run
    }

    /// After a restart: runs not triggered yet or waiting for their trace or results continue; a run whose trigger
    /// may have fired halfway ends in `TRIGGER_FAILED`; unfinished suite runs end in `FAILED`.
    func recover() async {
        do {
            for var run in try await store.runs.unfinished() {
                let key = RunKey(testID: run.testID, runID: run.id)
                guard active[key] == nil else { continue }
                if run.state == .executing {
                    try await recorder.update(&run) {
                        $0.state = .triggerFailed
                        $0.lastErrorState =
                            "the server stopped while the trigger was running, so whether it reached the system under test is unknown; run the test again"
                        $0.completedAt = .now()
                    }
                } else {
                    logger.info("resuming run \(run.testID)/\(run.id) (\(run.state.rawValue))")
                    launch(Pending(key: key, rerun: false, parent: .root))
                }
            }
            for var suiteRun in try await store.suiteRuns.unfinished() {
                suiteRun.state = "FAILED"
                suiteRun.lastError = "the server stopped while the suite was running; run the suite again"
                suiteRun.completedAt = .now()
                try await store.suiteRuns.update(suiteRun)
            }
        } catch {
            logger.error("cannot resume unfinished runs: \(error)")
        }
    }

    // MARK: Variables and gates

    /// The run's variables: the variable set's values in order, then the inline values (added or replacing).
    func variableSet(for information: RunInformation) async throws -> RunVariableSet {
        var variables = RunVariableSet()
        if !information.variableSetID.isEmpty {
            guard let set = try await store.variableSets.get(information.variableSetID) else {
                throw RunRequestError.variableSetNotFound(information.variableSetID)
            }
            variables = RunVariableSet(id: set.id, name: set.name, description: set.description, values: set.values)
        }
        variables.merge(information.variables)
        return variables
    }

    /// The request's gates, or the TestRunner's when the request names none.
    func gates(_ requested: [String]?) async throws -> [String] {
        if let unknown = requested?.first(where: { !TestRunner.gates.contains($0) }) {
            throw RunRequestError.unknownGate(unknown)
        }
        if let requested { return requested }
        return try await store.testRunners.get().requiredGates
    }

    func trackSuite(_ task: Task<Void, Never>) {
        suiteTasks.removeAll { $0.isCancelled }
        suiteTasks.append(task)
    }
}
