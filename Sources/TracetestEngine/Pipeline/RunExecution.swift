import Logging
import OrderedCollections
import TracetestAnalyzer
import TracetestIngest
import TracetestLanguage
import TracetestModel
import TracetestStorage
import TracetestTelemetry

/// Analyzes a trace with the analyzer settings; nil when the analyzer is disabled.
package protocol TraceAnalyzing: Sendable {
    /// - Returns: the `linter` result in wire form and the gates (`analyzer-rules`, `analyzer-score`) that failed.
    func analyze(_ trace: Trace, settings: Analyzer) throws -> (result: WireValue, failedGates: [String])?
}

extension TraceAnalyzer: TraceAnalyzing {}

/// One run through the pipeline (engine-telemetry.md §1.3): resolve the trigger, fire it, wait for the trace, root
/// it at the trigger span, analyze it, then resolve outputs and evaluate the specs. Each step moves the run's state,
/// records its events and its span (§4.3); a failure ends the run in the matching failure state with the reason.
struct RunExecution {
    let test: Test
    var run: TestRun
    let recorder: RunRecorder
    let spans: SpanStore
    let triggers: any Triggerer
    let analyzer: (any TraceAnalyzing)?
    let skip: SkipRequests
    let pipeline: PipelineTelemetry
    /// Where the next step's span attaches: the API request that started the run, then each step in turn.
    var parent: TelemetryContext

    var store: Store { recorder.store }

    /// Runs every step from where the run is; returns the run in its final state.
    mutating func execute() async throws -> TestRun {
        var trace: Trace?
        switch run.state {
        case .created:
            guard let arrivals = try await resolveAndTrigger() else { return run }
            guard let obtained = try await obtainTrace(arrivals: arrivals) else { return run }
            trace = obtained
        case .awaitingTrace:
            // Resumed after a restart: what was stored for the trace is loaded again.
            let arrivals = await spans.arrivals(of: run.traceID)
            if try await store.dataStores.get().isFedByOTLP { try await spans.expect(run.traceID) }
            guard let obtained = try await obtainTrace(arrivals: arrivals) else { return run }
            trace = obtained
        default:
            break
        }
        return try await analyzeAndAssert(trace)
    }

    /// Resolves and fires the trigger; returns the span arrivals of the run's trace (subscribed before firing), or
    /// nil when the run failed.
    private mutating func resolveAndTrigger() async throws -> AsyncStream<SpanStore.Arrival>? {
        let pipeline = self.pipeline
        var resolution: TelemetryContext = .root
        let resolved: Trigger? = try await pipeline.step(
            .triggerResolver, SpanName.resolveTrigger, parent: parent, runState: run.state
        ) { span in
            resolution = span.context
            return try await resolveTrigger()
        }
        guard let resolved else { return nil }

        // Spans that arrive while the trigger runs must be kept, so the trace is awaited before it fires.
        let fedByOTLP = (try await store.dataStores.get()).isFedByOTLP
        let arrivals = await spans.arrivals(of: run.traceID)
        if fedByOTLP { try await spans.expect(run.traceID) }

        await recorder.emit(.executionStart, run)
        let result = await fire(resolved, parent: resolution)
        let succeeded: Bool
        do {
            succeeded = try await pipeline.step(
                .triggerResultProcessor, SpanName.startProcessingTriggerResponse, parent: resolution,
                runState: run.state
            ) { span in
                parent = span.context
                return try await processTriggerResult(result)
            }
        } catch {
            if fedByOTLP { await spans.forget(run.traceID) }
            throw error
        }
        // A failed trigger ends the run: its trace is no longer awaited.
        if !succeeded, fedByOTLP { await spans.forget(run.traceID) }
        return succeeded ? arrivals : nil
    }

    /// Resolves the trigger's expressions and, for trace-id triggers, takes the run's trace id from it; nil when
    /// that failed.
    private mutating func resolveTrigger() async throws -> Trigger? {
        try await recorder.update(&run) {
            $0.state = .executing
            $0.serviceTriggeredAt = .now()
        }
        await recorder.emit(.resolveStart, run)
        let resolved: Trigger
        do {
            resolved = try TriggerResolution(variables: run.variableSet.lookup).resolve(test.trigger)
        } catch {
            await recorder.emit(.resolveError, run, description: "Resolving trigger details failed. Error: \(error)")
            try await fail(.triggerFailed, "\(error)")
            return nil
        }
        if let id = resolved.traceid?.id, Self.isTraceIDTrigger(test.trigger.type) {
            guard let traceID = TraceID(hex: id) else {
                let message = "invalid trace id \"\(id)\": a trace id is 32 hexadecimal digits"
                await recorder.emit(
                    .resolveError, run, description: "Resolving trigger details failed. Error: \(message)")
                try await fail(.triggerFailed, message)
                return nil
            }
            run.traceID = traceID
        }
        try await recorder.update(&run) { $0.resolvedTrigger = resolved }
        await recorder.emit(.resolveSuccess, run)
        return resolved
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
        let (triggers, traceID, spanID) = (self.triggers, run.traceID, run.spanID)
        return await pipeline.step(
            .triggerExecuter, SpanName.triggerTest, parent: parent, runState: run.state, attributes: attributes
        ) { span in
            let result = await triggers.fire(trigger, traceID: traceID, spanID: spanID)
            if let error = result.error {
                span.setAttribute(AttributeKey.Trigger.error, error.message)
                span.setError(message: error.message)
            }
            if let http = result.http { span.setAttribute(AttributeKey.Trigger.httpResponseCode, http.statusCode) }
            return result
        }
    }

    /// Stores the trigger's result; false when the trigger failed (the run ends in `TRIGGER_FAILED`).
    private mutating func processTriggerResult(_ result: TriggerResult) async throws -> Bool {
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
            try await fail(.triggerFailed, error.message)
            return false
        }
        await recorder.emit(.executionSuccess, run)
        try await recorder.update(&run) { $0.state = .awaitingTrace }
        return true
    }

    /// Waits for the trace and stores it rooted at the trigger span; nil when the run failed.
    private mutating func obtainTrace(arrivals: AsyncStream<SpanStore.Arrival>) async throws -> Trace? {
        defer { Task { [spans, traceID = run.traceID] in await spans.forget(traceID) } }
        var collected: [Span] = []
        if run.skipTraceCollection {
            await recorder.emit(
                .pollingSkipped, run, description: "Trace polling has been skipped: the test skips trace collection")
        } else {
            let dataStore = try await store.dataStores.get()
            guard dataStore.isFedByOTLP else {
                let message =
                    "data store type \(dataStore.type) is not supported by this server yet: send spans to its OTLP receiver and use type otlp"
                await recorder.emit(.fetchingError, run, description: "Trace fetching failed. Error: \(message)")
                try await fail(.traceFailed, message)
                return nil
            }
            let pipeline = self.pipeline
            let profile = try await pipeline.step(
                .tracePollerStarter, SpanName.startPollingTrace, parent: parent, runState: run.state,
                attributes: PipelineTelemetry.pollerAttributes(run, spans: 0)
            ) { span in
                parent = span.context
                await recorder.emit(.fetchingStart, run)
                let profile = try await store.pollingProfiles.get().periodic ?? PollingProfile.defaultProfile.periodic!
                await recorder.emit(
                    .pollingStart, run,
                    description:
                        "Trace polling started using otlp with the following endpoints: the built-in OTLP receiver",
                    polling: .init(isComplete: false, numberSpans: 0, numberIterations: 0))
                return profile
            }
            let waiter = TraceWaiter(
                spans: spans, recorder: recorder, profile: profile, selectors: test.specs.map(\.selector), skip: skip)
            var polling = PollingSpans(pipeline: pipeline, run: run, parent: parent)
            let outcome = try await waiter.wait(for: run, arrivals: arrivals, polling: &polling)
            parent = polling.parent
            switch outcome {
            case .timedOut:
                let reason = "Timed out without finding trace, trace id \"\(run.traceID.hex)\""
                await recorder.emit(
                    .pollingError, run, description: "Trace polling strategy failed. Reason: \(reason) - Error: timeout"
                )
                await recorder.emit(.fetchingError, run, description: "Trace fetching failed. Error: timeout")
                try await fail(.traceFailed, "timeout")
                return nil
            case .trace(let found, let reason, let skipped, let iterations):
                collected = found
                if skipped {
                    await recorder.emit(.pollingSkipped, run, description: "Trace polling has been skipped: \(reason)")
                } else {
                    await recorder.emit(
                        .pollingSuccess, run, description: "Trace polling strategy succeeded. Reason: \(reason)",
                        polling: .init(isComplete: true, numberSpans: found.count, numberIterations: iterations))
                }
            }
        }
        let trace = TriggerRoot.trace(for: run, spans: collected)
        try await store.runs.saveTrace(trace.spans, of: run)
        await recorder.emit(.fetchingSuccess, run)
        try await recorder.update(&run) {
            $0.state = .analyzingTrace
            $0.obtainedTraceAt = .now()
        }
        return trace
    }

    /// Analyzes the trace (the stored one when the run resumes after a restart), then resolves outputs and
    /// evaluates the specs.
    private mutating func analyzeAndAssert(_ obtained: Trace?) async throws -> TestRun {
        let trace: Trace
        if let obtained {
            trace = obtained
        } else if let spans = try await store.runs.trace(testID: run.testID, runID: run.id) {
            trace = Trace(traceID: run.traceID, assembled: spans)
        } else {
            try await fail(.assertionFailed, "trace not available")
            return run
        }
        if run.state == .analyzingTrace, run.linter == nil {
            guard try await analyze(trace) else { return run }
        }
        try await assert(on: trace)
        return run
    }

    private mutating func analyze(_ trace: Trace) async throws -> Bool {
        let started = ContinuousClock.now
        defer { pipeline.record(.linterRunner, since: started, runState: .analyzingTrace) }
        let settings = try await store.analyzers.get()
        guard let analyzer, settings.enabled else {
            await recorder.emit(.traceLinterSkipped, run)
            return true
        }
        await recorder.emit(.traceLinterStart, run)
        do {
            guard let (result, failedGates) = try analyzer.analyze(trace, settings: settings) else {
                await recorder.emit(.traceLinterSkipped, run)
                return true
            }
            try await recorder.update(&run) {
                $0.linter = result
                for gate in failedGates { $0.requiredGatesResult.fail(gate) }
                $0.state = .awaitingTestResults
            }
            await recorder.emit(.traceLinterSuccess, run)
            return true
        } catch {
            await recorder.emit(.traceLinterError, run, description: "Trace linter error: \(error)")
            try await fail(.analyzingError, "\(error)")
            return false
        }
    }

    /// Outputs first (merged into the run's variables), then every spec in order; sets the `test-specs` gate.
    private mutating func assert(on trace: Trace) async throws {
        let started = ContinuousClock.now
        let stateOnInput = run.state
        defer { pipeline.record(.assertionRunner, since: started, runState: stateOnInput) }
        await recorder.emit(.testSpecsRunStart, run)
        let index = TraceIndex(trace)
        let (outputs, warnings) = resolveOutputs(in: index, variables: run.variableSet.lookup)
        for (name, error) in warnings {
            await recorder.emit(
                .outputGenerationWarning, run, description: error, title: "Output '\(name)' not generated")
        }
        // Every output, resolved or not, is a variable of the assertions (language.md §7, §8).
        var variableSet = run.variableSet
        variableSet.merge(outputs.map { KeyValue(key: $0.name, value: $0.value) })
        let (assertionResults, specResults) = SpecEvaluation.evaluate(
            test.specs, on: index, variables: variableSet.lookup)
        pipeline.tracer.startSpan(
            SpanName.executeAssertions, parent: parent,
            attributes: [AttributeKey.allAssertionsPassed: .bool(assertionResults.allPassed)]
        ).end()
        for assertion in specResults.flatMap(\.assertions) {
            if let error = assertion.spanResults.lazy.compactMap(\.error).first(where: {
                [.resolution, .syntax].contains($0.code)
            }) {
                await recorder.emit(
                    .testSpecsAssertionWarning, run, description: error.message,
                    title: "Assertion '\(assertion.assertion)' failed")
            }
        }
        let testName = test.name
        try await recorder.update(&run) {
            $0.outputs = outputs
            $0.variableSet = variableSet
            $0.result = assertionResults
            if !assertionResults.allPassed { $0.requiredGatesResult.fail("test-specs") }
            $0.state = .finished
            $0.completedAt = .now()
            $0.junitReport = JUnitReport.xml(testName: testName, results: specResults, seconds: $0.executionTime())
        }
        await recorder.emit(assertionResults.allPassed ? .testSpecsRunSuccess : .testSpecsRunError, run)
    }

    /// The test's outputs resolved on the trace, and the (name, reason) of each that could not be; recorded in a
    /// `Process outputs` span.
    private func resolveOutputs(
        in index: TraceIndex, variables: some VariableLookup
    ) -> (outputs: [RunOutput], warnings: [(String, String)]) {
        var outputs: [RunOutput] = []
        var warnings: [(String, String)] = []
        var described: OrderedDictionary<String, WireValue> = [:]
        for output in test.outputs {
            let resolved = output.resolve(in: index, variables: variables)
            let spanID = resolved.spanID?.hex ?? ""
            outputs.append(RunOutput(name: resolved.name, spanID: spanID, value: resolved.value, error: resolved.error))
            if let error = resolved.error { warnings.append((output.name, error)) }
            described[resolved.name] = .object([
                "Name": .string(resolved.name), "Value": .string(resolved.value), "SpanID": .string(spanID),
                "Resolved": .bool(resolved.error == nil), "Error": resolved.error.map(WireValue.string) ?? .null,
            ])
        }
        if pipeline.tracer.isEnabled {
            let span = pipeline.tracer.startSpan(
                SpanName.processOutputs, parent: parent,
                attributes: [AttributeKey.outputProcessorOutputs: .string(WireValue.object(described).jsonText)])
            if !warnings.isEmpty { span.setError(message: warnings.map { "\($0.0): \($0.1)" }.joined(separator: "; ")) }
            span.end()
        }
        return (outputs, warnings)
    }

    /// Ends the run in `state` with `reason`.
    private mutating func fail(_ state: RunState, _ reason: String) async throws {
        try await recorder.update(&run) {
            $0.state = state
            $0.lastErrorState = reason
            $0.completedAt = .now()
        }
    }

    static func isTraceIDTrigger(_ type: String) -> Bool {
        type == "traceid" || TriggerResolution.traceIDIntegrations.contains(type)
    }
}
