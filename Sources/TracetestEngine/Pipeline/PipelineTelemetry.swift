import TracetestModel
import TracetestTelemetry

/// The run pipeline's own telemetry (engine-telemetry.md §4.3–4.4): one span per step, each a child of the step
/// before it as upstream's workers chain them, and the latency of each step as its worker's histogram.
struct PipelineTelemetry: Sendable {
    let telemetry: Telemetry
    /// This server's name, on every step span: the servers of one database say which executed each step.
    var server = ""

    var tracer: InternalTracer { telemetry.tracer }
    var application: ApplicationTracer { telemetry.application }
    var metrics: TelemetryMetrics { telemetry.metrics }

    /// Runs `body` in a span `name` under `parent`, with this server's name among its attributes, and records its
    /// duration as `worker`'s latency, by `runState` (the run's state when the step began).
    func step<T>(
        _ worker: WorkerName,
        _ name: String,
        parent: TelemetryContext,
        runState: RunState,
        attributes: [String: TelemetryAttributeValue] = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TelemetrySpan) async throws -> T
    ) async rethrows -> T {
        let started = ContinuousClock.now
        defer { record(worker, since: started, runState: runState) }
        var attributes = attributes
        attributes[AttributeKey.serverInstance] = .string(server)
        return try await tracer.withSpan(name, parent: parent, attributes: attributes, body)
    }

    func record(_ worker: WorkerName, since started: ContinuousClock.Instant, runState: RunState) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        metrics.recordWorkerLatency(worker, milliseconds: milliseconds, runState: runState.rawValue)
    }

    /// The attributes every trace-poller span carries.
    static func pollerAttributes(_ run: TestRun, spans: Int) -> [String: TelemetryAttributeValue] {
        [
            AttributeKey.TracePoller.traceID: .string(run.traceID.hex),
            AttributeKey.TracePoller.spanID: .string(run.spanID.hex),
            AttributeKey.TracePoller.testID: .string(run.testID),
            AttributeKey.TracePoller.amountRetrievedSpans: .int(Int64(spans)),
        ]
    }
}

/// The `Fetching trace` → `Evaluating trace` spans of a run's polling iterations, each pair a child of the one
/// before, starting under `Start polling trace`.
struct PollingSpans {
    let pipeline: PipelineTelemetry
    let run: TestRun
    /// Where the next iteration attaches; after the last one, the parent of the assertion steps.
    private(set) var parent: TelemetryContext

    init(pipeline: PipelineTelemetry, run: TestRun, parent: TelemetryContext) {
        self.pipeline = pipeline
        self.run = run
        self.parent = parent
    }

    /// One iteration under way: its `Fetching trace` span, open while the spans are read.
    struct Iteration {
        fileprivate let fetching: TelemetrySpan
        fileprivate let started: ContinuousClock.Instant
    }

    /// Starts an iteration; pass it to ``evaluated(_:spans:finished:reason:)`` once the trace's spans are read.
    func fetching() -> Iteration {
        Iteration(
            fetching: pipeline.tracer.startSpan(
                SpanName.fetchingTrace, parent: parent, attributes: PipelineTelemetry.pollerAttributes(run, spans: 0)),
            started: .now)
    }

    /// Ends `iteration`'s fetch, which found `spans` spans, and records its evaluation: whether polling is
    /// `finished`, and why.
    mutating func evaluated(_ iteration: Iteration, spans: Int, finished: Bool, reason: String) {
        pipeline.record(.traceFetcher, since: iteration.started, runState: run.state)
        let evaluationStarted = ContinuousClock.now
        var attributes = PipelineTelemetry.pollerAttributes(run, spans: spans)
        iteration.fetching.setAttributes(attributes)
        iteration.fetching.end()
        attributes[AttributeKey.TracePoller.successful] = .bool(finished)
        attributes[AttributeKey.TracePoller.finishReason] = .string(reason)
        let evaluating = pipeline.tracer.startSpan(
            SpanName.evaluatingTrace, parent: iteration.fetching.context, attributes: attributes)
        evaluating.end()
        parent = evaluating.context
        pipeline.record(.tracePollerEvaluator, since: evaluationStarted, runState: run.state)
    }

    /// Records that polling failed with `error`.
    mutating func failure(spans: Int, error: String) {
        guard pipeline.tracer.isEnabled else { return }
        var attributes = PipelineTelemetry.pollerAttributes(run, spans: spans)
        attributes[AttributeKey.TracePoller.error] = .string(error)
        attributes[AttributeKey.TracePoller.successful] = .bool(false)
        attributes[AttributeKey.TracePoller.finishReason] = .string(error)
        let evaluating = pipeline.tracer.startSpan(SpanName.evaluatingTrace, parent: parent, attributes: attributes)
        evaluating.setError(message: error)
        evaluating.end()
        parent = evaluating.context
    }
}
