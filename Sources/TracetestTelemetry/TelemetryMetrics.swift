import CoreMetrics

/// The server's metrics, exported with its internal spans (`server.telemetry.exporter`) every
/// `metricsReaderInterval`. When that exporter is not configured every method does nothing.
///
/// Dimensions are text (swift-metrics has no other kind): `http.status_code` is `"200"`.
package struct TelemetryMetrics: Sendable {
    let factory: (any MetricsFactory)?

    init(_ factory: (any MetricsFactory)?) {
        self.factory = factory
    }

    /// Records nothing.
    package static let disabled = TelemetryMetrics(nil)

    package var isEnabled: Bool { factory != nil }

    /// `http.server.latency`: one routed API request.
    package func recordHTTPServerLatency(milliseconds: Int64, route: String, method: String, statusCode: Int) {
        guard let factory else { return }
        let dimensions = [
            ("unit", "ms"), ("http.route", route), ("http.method", method), ("http.status_code", String(statusCode)),
        ]
        Recorder(label: MetricName.httpServerLatency, dimensions: dimensions, factory: factory).record(milliseconds)
    }

    /// `tracetest.worker.<worker>.latency`: one job of a run engine worker, by the run's state when the job began.
    package func recordWorkerLatency(_ worker: WorkerName, milliseconds: Int64, runState: String) {
        guard let factory else { return }
        let dimensions = [("unit", "ms"), ("run_state", runState)]
        Recorder(label: MetricName.workerLatency(worker), dimensions: dimensions, factory: factory).record(milliseconds)
    }

    /// `messaging.enqueue`: records 1 for a job put on `queue`.
    package func recordEnqueue(queue: String) {
        guard let factory else { return }
        Recorder(label: MetricName.messagingEnqueue, dimensions: [("queue.name", queue)], factory: factory).record(1)
    }

    /// `messaging.listen`: records 1 for a job taken from `queue`.
    package func recordListen(queue: String) {
        guard let factory else { return }
        Recorder(label: MetricName.messagingListen, dimensions: [("queue.name", queue)], factory: factory).record(1)
    }

    /// `tracetest.runs.queued`: how many runs wait in the run queue of the database, as a server last saw it.
    package func recordQueuedRuns(_ count: Int) {
        guard let factory else { return }
        Gauge(label: MetricName.queuedRuns, factory: factory).record(count)
    }

    /// `tracetest.runs.lease_takeovers`: a server took over a run whose server's lease had expired.
    package func countLeaseTakeover() {
        guard let factory else { return }
        Counter(label: MetricName.leaseTakeovers, factory: factory).increment()
    }

    /// `tracetest.runs.finished`: a run reached the final state `state` (`FINISHED`, `TRIGGER_FAILED`, …).
    package func countFinishedRun(state: String) {
        guard let factory else { return }
        Counter(label: MetricName.finishedRuns, dimensions: [("run_state", state)], factory: factory).increment()
    }

    /// `tracetest.otlp.ingested_spans`: spans received over `transport` (`grpc` or `http`).
    package func countIngestedSpans(_ count: Int, transport: String) {
        guard let factory, count > 0 else { return }
        Counter(label: MetricName.ingestedSpans, dimensions: [("transport", transport)], factory: factory)
            .increment(by: count)
    }

    /// `tracetest.telemetry.dropped_spans`.
    func countDroppedSpans(_ count: Int) {
        guard let factory, count > 0 else { return }
        Counter(label: MetricName.droppedSpans, factory: factory).increment(by: count)
    }
}
