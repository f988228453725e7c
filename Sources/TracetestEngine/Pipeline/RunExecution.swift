import Logging
import OrderedCollections
import TracetestAnalyzer
import TracetestConcurrency
import TracetestIngest
import TracetestLanguage
import TracetestModel
import TracetestStorage
import TracetestTelemetry
import TracetestTraceSources

/// Analyzes a trace with the analyzer settings; nil when the analyzer is disabled.
package protocol TraceAnalyzing: Sendable {
    /// - Returns: the `linter` result in wire form, with and without span results, and the gates (`analyzer-rules`,
    ///   `analyzer-score`) that failed.
    func analyze(_ trace: Trace, settings: Analyzer) throws -> LinterOutcome?
}

extension TraceAnalyzer: TraceAnalyzing {}

/// One run through the pipeline (engine-telemetry.md §1.3), driven by its ``RunLifecycle``: resolve the trigger,
/// fire it, wait for the trace and root it at the trigger span, analyze it, then resolve outputs and evaluate the
/// specs. Each step moves the run's state and records its events and its span (§4.3); the lifecycle decides what
/// follows and how the run ends.
struct RunExecution {
    let engine: RunEngine
    let test: Test
    var run: TestRun
    let control: RunControl
    /// Where the next step's span attaches: the API request that started the run, then each step in turn.
    var parent: TelemetryContext
    /// Span arrivals of the run's trace, subscribed before the trigger fires so that no span is missed.
    private var arrivals: Broadcast<TraceID, SpanStore.Arrival>.Listener?
    /// Whether the span store keeps the trace for this run (``SpanStore/expect(_:)``) until it is released.
    private var expectsTrace = false
    /// How many received spans the run saved as its final trace (for compaction).
    private var savedSpanCount: Int?
    private var trace: Trace?
    /// Spans of traces no run waited for, when the trigger fired (a timeout says how many came since).
    private var unexpectedSpansBeforeTrigger = 0

    init(engine: RunEngine, test: Test, run: TestRun, control: RunControl, parent: TelemetryContext) {
        self.engine = engine
        self.test = test
        self.run = run
        self.control = control
        self.parent = parent
    }

    private var store: Store { engine.store }
    private var spans: SpanStore { engine.spans }
    private var recorder: RunRecorder { engine.executionRecorder }
    private var pipeline: PipelineTelemetry { engine.pipeline }

    /// Runs the steps the lifecycle asks for, from the run's stored state, until the run ends; returns it in its
    /// final state. Throws `CancellationError` when stopped or shut down, and the error of a write that kept failing.
    mutating func execute() async throws -> TestRun {
        let result: Result<TestRun, any Error>
        do {
            result = .success(try await steps())
        } catch {
            result = .failure(error)
        }
        arrivals?.close()
        if expectsTrace { await spans.forget(run.traceID, savedSpans: savedSpanCount) }
        return try result.get()
    }

    private mutating func steps() async throws -> TestRun {
        var lifecycle = RunLifecycle()
        var action = lifecycle.handle(.start(run.state))
        while true {
            switch action {
            case .complete:
                let tenths = (Timestamp.now().microsecondsSinceEpoch - run.createdAt.microsecondsSinceEpoch) / 100_000
                let outcome =
                    run.failCount == 0
                    ? "\(run.passCount) assertion results passed"
                    : "\(run.failCount) of \(run.passCount + run.failCount) assertion results failed"
                engine.logger.info(
                    "run \(run.testID)/\(run.id) \(run.state.rawValue) in \(tenths / 10).\(tenths % 10) s: \(outcome)")
                return run
            case .end(let state, let reason):
                try await recorder.end(&run, state, reason: reason)
                if state != .stopped {
                    engine.logger.warning(
                        "run \(run.testID)/\(run.id) ended \(state.rawValue): \(reason)")
                }
                return run
            case .perform(let step):
                let event: RunLifecycle.Event
                do {
                    event = try await perform(step)
                } catch {
                    if Task.isCancelled { throw CancellationError() }
                    // The database away: the run is left as stored and tried again (RunEngine puts it back in the
                    // queue) rather than failed for an outage. Taken over by another server: left to it.
                    if (error as? any TracetestError)?.category == .unavailable { throw error }
                    if (error as? StorageError)?.code == .leaseLost { throw error }
                    engine.logger.error("run \(run.testID)/\(run.id) broke off in \(step): \(error)")
                    event = .broke(step, error: clientMessage(of: error))
                }
                action = lifecycle.handle(event)
            }
        }
    }

    private mutating func perform(_ step: RunLifecycle.Step) async throws -> RunLifecycle.Event {
        let outcome: StepOutcome
        switch step {
        case .resolveTrigger: outcome = try await resolveTrigger()
        case .fireTrigger: outcome = try await fireTrigger()
        case .awaitTrace: outcome = try await awaitTrace()
        case .analyze: outcome = try await analyze()
        case .assert: outcome = try await assert()
        }
        switch outcome {
        case .succeeded: return .succeeded(step)
        case .failed(let reason): return .failed(step, reason: reason)
        }
    }

    private enum StepOutcome {
        case succeeded
        case failed(String)
    }

    // MARK: Trigger

    /// Resolves the trigger's expressions and, for trace-id triggers, takes the run's trace id from it.
    private mutating func resolveTrigger() async throws -> StepOutcome {
        let pipeline = self.pipeline
        return try await pipeline.step(
            .triggerResolver, SpanName.resolveTrigger, parent: parent, runState: run.state
        ) { span in
            parent = span.context
            try await recorder.update(&run) {
                $0.state = .executing
                $0.serviceTriggeredAt = .now()
            }
            await recorder.emit(.resolveStart, run)
            let resolved: Trigger
            do {
                resolved = try TriggerResolution(variables: run.variableSet.lookup).resolve(test.trigger)
            } catch {
                return await resolutionFailed("\(error)")
            }
            // Values that came from variables are checked as the test's own were when it was saved.
            if let problem = resolved.problem {
                return await resolutionFailed("the request cannot be sent: trigger.\(problem)")
            }
            if let id = resolved.traceid?.id, Self.isTraceIDTrigger(test.trigger.type) {
                guard let traceID = TraceID(hex: id) else {
                    return await resolutionFailed(
                        "invalid trace id \"\(id)\": a trace id is 32 hexadecimal digits")
                }
                run.traceID = traceID
            }
            try await recorder.update(&run) { $0.resolvedTrigger = resolved }
            await recorder.emit(.resolveSuccess, run)
            return .succeeded
        }
    }

    private func resolutionFailed(_ reason: String) async -> StepOutcome {
        await recorder.emit(.resolveError, run, description: "Resolving trigger details failed. Error: \(reason)")
        return .failed(reason)
    }

    /// Fires the resolved trigger (its span and the trigger result's under the `Resolve trigger` span); the trace
    /// is awaited from before it fires.
    private mutating func fireTrigger() async throws -> StepOutcome {
        let resolution = parent
        try await subscribeToTrace()
        unexpectedSpansBeforeTrigger = await spans.unexpectedSpanCount
        await recorder.emit(.executionStart, run)
        let result = await fire(run.resolvedTrigger ?? test.trigger, parent: resolution)
        let pipeline = self.pipeline
        return try await pipeline.step(
            .triggerResultProcessor, SpanName.startProcessingTriggerResponse, parent: resolution,
            runState: run.state
        ) { span in
            parent = span.context
            return try await processTriggerResult(result)
        }
    }

    /// Subscribes to the arrivals of the run's trace and, when the data store is fed by OTLP, has the span store
    /// keep it.
    private mutating func subscribeToTrace() async throws {
        guard arrivals == nil else { return }
        arrivals = await spans.arrivals(of: run.traceID)
        if try await store.dataStores.get().isFedByOTLP {
            try await spans.expect(run.traceID)
            expectsTrace = true
        }
    }

    /// Fires the trigger in a `Trigger test` span, inside the `Tracetest trigger` span of the application tracer
    /// whose span id the system under test receives as its parent (trace-id triggers get no such span: the trace is
    /// not ours to add to).
    private mutating func fire(_ trigger: Trigger, parent: TelemetryContext) async -> TriggerResult {
        let triggerSpan: TriggerSpan? =
            Self.isTraceIDTrigger(trigger.type) ? nil : pipeline.application.startTriggerSpan(traceID: run.traceID)
        if let triggerSpan { run.spanID = triggerSpan.spanID }
        defer { triggerSpan?.end() }
        let attributes: [String: TelemetryAttributeValue] = [
            AttributeKey.Trigger.traceID: .string(run.traceID.hex),
            AttributeKey.Trigger.spanID: .string(run.spanID.hex),
            AttributeKey.Trigger.testID: .string(run.testID),
            AttributeKey.Trigger.type: .string(trigger.type),
        ]
        let (triggers, traceID, spanID) = (engine.triggers, run.traceID, run.spanID)
        return await pipeline.step(
            .triggerExecuter, SpanName.triggerTest, parent: parent, runState: run.state, attributes: attributes
        ) { span in
            let result = await triggers.fire(trigger, traceID: traceID, spanID: spanID)
            if let error = result.error {
                span.setAttribute(AttributeKey.Trigger.error, error.message)
                span.setError(message: error.message)
            }
            if let http = result.http ?? result.graphql {
                span.setAttribute(AttributeKey.Trigger.httpResponseCode, http.statusCode)
            }
            if let grpc = result.grpc {
                span.setAttribute(AttributeKey.Trigger.grpcResponseStatusCode, grpc.statusCode)
                span.setAttribute(AttributeKey.Trigger.grpcResponseStatus, GRPCStatusName.of(grpc.statusCode))
            }
            if let kafka = result.kafka {
                span.setAttribute(AttributeKey.Trigger.kafkaPartition, kafka.partition)
                span.setAttribute(AttributeKey.Trigger.kafkaOffset, kafka.offset)
            }
            return result
        }
    }

    /// Stores the trigger's result; a trigger error fails the step.
    private mutating func processTriggerResult(_ result: TriggerResult) async throws -> StepOutcome {
        try await recorder.update(&run) {
            $0.triggerResult = result
            $0.serviceTriggerCompletedAt = .now()
        }
        if let error = result.error {
            if error.connectionError {
                await recorder.emit(
                    test.trigger.type == "grpc" ? .grpcUnreachableHostError : .httpUnreachableHostError, run,
                    description: "The host in the trigger could not be reached: \(error.message)")
            }
            if error.runningOnContainer && error.targetsLocalhost {
                await recorder.emit(
                    .dockerComposeHostMismatchError, run,
                    description:
                        "The trigger targets localhost from inside a container; use host.docker.internal or the service's name"
                )
            }
            await recorder.emit(.executionError, run, description: "Trigger execution failed. Error: \(error.message)")
            return .failed(error.message)
        }
        await recorder.emit(.executionSuccess, run)
        try await recorder.update(&run) { $0.state = .awaitingTrace }
        return .succeeded
    }

    // MARK: Trace

    /// `timeout`, and why: whether spans of traces no run waits for arrived since the trigger fired, and what to check (a
    /// wrong exporter endpoint and an application that does not propagate `traceparent` look alike otherwise).
    private func timeoutExplanation(after timeout: String) async -> String {
        let others = await spans.unexpectedSpanCount - unexpectedSpansBeforeTrigger
        let id = run.traceID.hex
        if others > 0 {
            return "timeout: no span of trace \(id) arrived within \(timeout), while \(others) spans of other traces "
                + "did: the application exports here but does not seem to continue the trace; check that it reads "
                + "the traceparent header of the trigger and passes it on"
        }
        return "timeout: no span arrived within \(timeout), of trace \(id) or any other: check that the application "
            + "exports to this server's OTLP receiver (gRPC port 4317, HTTP port 4318 unless configured otherwise)"
    }

    /// How the wait for a trace came out.
    private enum TraceOutcome {
        case spans([Span])
        case failed(String)
    }

    /// Waits for the trace (from the OTLP receiver, or by polling the data store) and stores it rooted at the
    /// trigger span.
    private mutating func awaitTrace() async throws -> StepOutcome {
        var collected: [Span] = []
        if run.skipTraceCollection {
            await recorder.emit(
                .pollingSkipped, run, description: "Trace polling has been skipped: the test skips trace collection")
        } else {
            let dataStore = try await store.dataStores.get()
            let source: (any TraceSource)?
            do {
                source = try engine.traceSources.source(for: dataStore)
            } catch {
                await recorder.emit(.fetchingError, run, description: "Trace fetching failed. Error: \(error.message)")
                return .failed(error.message)
            }
            let outcome =
                if let source { try await pollStore(source, type: dataStore.type) } else { try await waitForOTLP() }
            switch outcome {
            case .failed(let reason): return .failed(reason)
            case .spans(let spans): collected = spans
            }
        }
        let (finished, received) = (run, collected)
        let trace = await ComputePool.shared.run { TriggerRoot.trace(for: finished, spans: received) }
        try await recorder.saveTrace(trace, of: run)
        savedSpanCount = received.count
        self.trace = trace
        await recorder.emit(.fetchingSuccess, run)
        try await recorder.update(&run) {
            $0.state = .analyzingTrace
            $0.obtainedTraceAt = .now()
        }
        return .succeeded
    }

    /// Waits for the trace's spans on the built-in OTLP receiver.
    private mutating func waitForOTLP() async throws -> TraceOutcome {
        // A run resumed after a restart subscribes here; spans stored before the restart are loaded again.
        try await subscribeToTrace()
        let profile = try await startPolling(using: "otlp", endpoints: "the built-in OTLP receiver", test: nil)
        var polling = PollingSpans(pipeline: pipeline, run: run, parent: parent)
        let waiter = TraceWaiter(
            spans: spans, recorder: recorder, run: run, profile: profile, selectors: test.specs.map(\.selector),
            control: control)
        guard let arrivals else { return .failed("internal error: the trace's arrivals were not subscribed to") }
        let outcome = try await waiter.wait(arrivals: arrivals, clock: engine.clock, polling: &polling)
        parent = polling.parent
        switch outcome {
        case .timedOut:
            await recordTimeout()
            return .failed(await timeoutExplanation(after: profile.timeout))
        case .trace(let found, let reason, let skipped, let iterations):
            await recordPollingEnd(found, reason: reason, skipped: skipped, iterations: iterations)
            return .spans(found)
        }
    }

    /// Polls the data store `source` for the trace, after testing the connection to it.
    private mutating func pollStore(_ source: any TraceSource, type: String) async throws -> TraceOutcome {
        let profile = try await startPolling(
            using: type, endpoints: source.endpoints.joined(separator: ", "), test: source)
        var polling = PollingSpans(pipeline: pipeline, run: run, parent: parent)
        let poller = StorePoller(
            source: source, recorder: recorder, run: run, profile: profile, selectors: test.specs.map(\.selector),
            control: control)
        let outcome = try await poller.poll(clock: engine.clock, polling: &polling)
        parent = polling.parent
        switch outcome {
        case .timedOut:
            await recordTimeout()
            return .failed(
                "timeout: trace \(run.traceID.hex) was not found in \(source.name) within \(profile.timeout): check that "
                    + "the application's spans reach \(source.name) and that it continues the trigger's trace")
        case .failed(let reason):
            await recorder.emit(
                .pollingError, run, description: "Trace polling strategy failed. Reason: \(reason) - Error: \(reason)")
            await recorder.emit(.fetchingError, run, description: "Trace fetching failed. Error: \(reason)")
            return .failed(reason)
        case .trace(let found, let reason, let skipped, let iterations):
            await recordPollingEnd(found, reason: reason, skipped: skipped, iterations: iterations)
            return .spans(found)
        }
    }

    /// The `Start polling trace` step: `FETCHING_START`, the connection test of a store that is asked (its result in
    /// `DATA_STORE_CONNECTION_INFO`; a failure does not stop polling), `POLLING_START`; returns the polling profile.
    private mutating func startPolling(
        using type: String, endpoints: String, test source: (any TraceSource)?
    ) async throws -> PollingProfile.Periodic {
        let (recorder, store, run) = (self.recorder, self.store, self.run)
        return try await pipeline.step(
            .tracePollerStarter, SpanName.startPollingTrace, parent: parent, runState: run.state,
            attributes: PipelineTelemetry.pollerAttributes(run, spans: 0)
        ) { span in
            parent = span.context
            await recorder.emit(.fetchingStart, run)
            if let source {
                let connection = await ConnectionTest.run(source)
                await recorder.emit(
                    .dataStoreConnectionInfo, run,
                    description: connection.allPassed
                        ? "Data store test connection executed" : "Data store test connection failed",
                    dataStoreConnection: connection.wire)
            }
            let profile = try await store.pollingProfiles.get().periodic ?? PollingProfile.defaultProfile.periodic!
            await recorder.emit(
                .pollingStart, run,
                description: "Trace polling started using \(type) with the following endpoints: \(endpoints)",
                polling: .init(isComplete: false, numberSpans: 0, numberIterations: 0))
            return profile
        }
    }

    private func recordTimeout() async {
        let reason = "Timed out without finding trace, trace id \"\(run.traceID.hex)\""
        await recorder.emit(
            .pollingError, run, description: "Trace polling strategy failed. Reason: \(reason) - Error: timeout")
        await recorder.emit(.fetchingError, run, description: "Trace fetching failed. Error: timeout")
    }

    private func recordPollingEnd(_ found: [Span], reason: String, skipped: Bool, iterations: Int) async {
        if skipped {
            await recorder.emit(.pollingSkipped, run, description: "Trace polling has been skipped: \(reason)")
        } else {
            await recorder.emit(
                .pollingSuccess, run, description: "Trace polling strategy succeeded. Reason: \(reason)",
                polling: .init(isComplete: true, numberSpans: found.count, numberIterations: iterations))
        }
    }

    /// The trace obtained by this execution, or the stored one (a run resumed after a restart, a rerun).
    private mutating func obtainedTrace() async throws -> Trace? {
        if let trace { return trace }
        guard let spans = try await store.runs.trace(testID: run.testID, runID: run.id) else { return nil }
        let traceID = run.traceID
        let loaded = await ComputePool.shared.run { Trace(traceID: traceID, assembled: spans) }
        trace = loaded
        return loaded
    }

    // MARK: Analysis and assertions

    private mutating func analyze() async throws -> StepOutcome {
        guard let trace = try await obtainedTrace() else { return .failed("trace not available") }
        guard run.linter == nil else {
            try await recorder.update(&run) { $0.state = .awaitingTestResults }
            return .succeeded
        }
        let started = ContinuousClock.now
        defer { pipeline.record(.linterRunner, since: started, runState: .analyzingTrace) }
        let settings = try await store.analyzers.get()
        guard let analyzer = engine.analyzer, settings.enabled else {
            await recorder.emit(.traceLinterSkipped, run)
            try await recorder.update(&run) { $0.state = .awaitingTestResults }
            return .succeeded
        }
        await recorder.emit(.traceLinterStart, run)
        let analysis: Result<LinterOutcome?, any Error> = await ComputePool.shared.run {
            Result { try analyzer.analyze(trace, settings: settings) }
        }
        switch analysis {
        case .success(let analysis?):
            try await recorder.update(&run) {
                $0.linter = analysis.result
                $0.linterSummary = analysis.summary
                for gate in analysis.failedGates { $0.requiredGatesResult.fail(gate) }
                $0.state = .awaitingTestResults
            }
            await recorder.emit(.traceLinterSuccess, run)
        case .success(nil):
            await recorder.emit(.traceLinterSkipped, run)
            try await recorder.update(&run) { $0.state = .awaitingTestResults }
        case .failure(let error):
            await recorder.emit(.traceLinterError, run, description: "Trace linter error: \(error)")
            return .failed("\(error)")
        }
        return .succeeded
    }

    /// Outputs first (merged into the run's variables), then every spec in order; sets the `test-specs` gate and
    /// stores the run `FINISHED` with its results.
    private mutating func assert() async throws -> StepOutcome {
        guard let trace = try await obtainedTrace() else { return .failed("trace not available") }
        let started = ContinuousClock.now
        let stateOnInput = run.state
        defer { pipeline.record(.assertionRunner, since: started, runState: stateOnInput) }
        await recorder.emit(.testSpecsRunStart, run)
        let (test, inputs) = (self.test, run.variableSet)
        let evaluation = await ComputePool.shared.run { Evaluation(test: test, trace: trace, variables: inputs) }
        for (name, error) in evaluation.warnings {
            await recorder.emit(
                .outputGenerationWarning, run, description: error, title: "Output '\(name)' not generated")
        }
        recordOutputs(evaluation)
        pipeline.tracer.startSpan(
            SpanName.executeAssertions, parent: parent,
            attributes: [AttributeKey.allAssertionsPassed: .bool(evaluation.results.allPassed)]
        ).end()
        for assertion in evaluation.specResults.flatMap(\.assertions) {
            if let error = assertion.spanResults.lazy.compactMap(\.error).first(where: {
                [.resolution, .syntax].contains($0.code)
            }) {
                await recorder.emit(
                    .testSpecsAssertionWarning, run, description: error.message,
                    title: "Assertion '\(assertion.assertion)' failed")
            }
        }
        let (testName, specNames) = (test.name, test.specs.map(\.name))
        // The event first: a run seen in its terminal state has all its events.
        await recorder.emit(evaluation.results.allPassed ? .testSpecsRunSuccess : .testSpecsRunError, run)
        try await recorder.update(&run) {
            $0.outputs = evaluation.outputs
            $0.variableSet = evaluation.variables
            $0.result = evaluation.results
            if !evaluation.results.allPassed { $0.requiredGatesResult.fail("test-specs") }
            $0.state = .finished
            $0.completedAt = .now()
            $0.junitReport = JUnitReport.xml(
                .init(testName: testName, specNames: specNames, results: evaluation.results),
                seconds: $0.executionTime())
        }
        return .succeeded
    }

    /// The `Process outputs` span: every output with its value, span and error.
    private func recordOutputs(_ evaluation: Evaluation) {
        guard pipeline.tracer.isEnabled else { return }
        var described: OrderedDictionary<String, WireValue> = [:]
        for output in evaluation.outputs {
            described[output.name] = .object([
                "Name": .string(output.name), "Value": .string(output.value), "SpanID": .string(output.spanID),
                "Resolved": .bool(output.error == nil), "Error": output.error.map(WireValue.string) ?? .null,
            ])
        }
        let span = pipeline.tracer.startSpan(
            SpanName.processOutputs, parent: parent,
            attributes: [AttributeKey.outputProcessorOutputs: .string(WireValue.object(described).jsonText)])
        if !evaluation.warnings.isEmpty {
            span.setError(message: evaluation.warnings.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
        }
        span.end()
    }

    static func isTraceIDTrigger(_ type: String) -> Bool {
        type == "traceid" || Trigger.traceIDIntegrations.contains(type)
    }
}

/// A test's outputs and specs evaluated on a trace (CPU work, done on the compute pool).
struct Evaluation: Sendable {
    var outputs: [RunOutput] = []
    /// (output name, why it could not be resolved)
    var warnings: [(String, String)] = []
    /// The run's variables with every output merged in: the assertions see them (language.md §7, §8).
    var variables: RunVariableSet
    var results: AssertionResults
    var specResults: [SpecResult]

    init(test: Test, trace: Trace, variables inputs: RunVariableSet) {
        let index = TraceIndex(trace)
        for output in test.outputs {
            let resolved = output.resolve(in: index, variables: inputs.lookup)
            outputs.append(
                RunOutput(
                    name: resolved.name, spanID: resolved.spanID?.hex ?? "", value: resolved.value,
                    error: resolved.error))
            if let error = resolved.error { warnings.append((output.name, error)) }
        }
        variables = inputs
        variables.merge(outputs.map { KeyValue(key: $0.name, value: $0.value) })
        (results, specResults) = SpecEvaluation.evaluate(test.specs, on: index, variables: variables.lookup)
    }
}
