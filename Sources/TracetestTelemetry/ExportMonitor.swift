import Logging
import Synchronization
import TracetestConfig

/// Watches one exporter and turns what happens into the server's rules: one warning when export starts failing, one
/// when spans start being dropped, one line when export works again with the number of spans lost meanwhile (in
/// failed batches or dropped from the full queue, also counted in `tracetest.telemetry.dropped_spans`). Spans are
/// reported by ``SpanExportService``; metrics through swift-otel's diagnostic log, which would otherwise warn on
/// every failed export.
final class ExportMonitor: Sendable {
    /// What swift-otel's components write (swift-otel 1.6); matched exactly.
    enum Diagnostic {
        static let metricsReader = "OTelPeriodicExportingMetricsReader"
        static let metricsFailed = "Failed to export metrics."
        static let metricsExporting = "Exporting metrics."
    }

    struct State {
        var spansFailing = false
        var droppingAnnounced = false
        var droppedDuringOutage = 0
        var droppedTotal = 0
        var metricsFailing = false
        var metricsFailedSinceLastExport = false
        var metrics = TelemetryMetrics.disabled
    }

    let exporterName: String
    let endpoint: ExporterEndpoint
    let queueSize: Int
    let logger: Logger
    private let state = Mutex(State())

    init(exporterName: String, endpoint: ExporterEndpoint, queueSize: Int, logger: Logger) {
        self.exporterName = exporterName
        self.endpoint = endpoint
        self.queueSize = queueSize
        self.logger = logger
    }

    /// Where dropped spans are counted; set once the metrics backend exists.
    func countDrops(in metrics: TelemetryMetrics) {
        state.withLock { $0.metrics = metrics }
    }

    /// Spans dropped so far because the queue was full.
    var droppedSpans: Int { state.withLock { $0.droppedTotal } }

    /// The logger to give swift-otel (metrics) as its diagnostic logger.
    var diagnosticLogger: Logger {
        var logger = Logger(label: "tracetest.telemetry") { _ in ExportMonitorHandler(monitor: self) }
        logger.logLevel = .debug
        return logger
    }

    private var exporterText: String { "exporter \"\(exporterName)\" (\(endpoint))" }

    /// A batch of `lost` spans was given up: they are lost like those the full queue drops.
    func batchFailed(lost: Int, reason: String) {
        guard countLost(lost, firstTime: \.spansFailing) else { return }
        logger.warning(
            Logger.Message(
                stringLiteral:
                    "telemetry: cannot export spans to \(exporterText): \(reason). The server keeps running and "
                    + "tries again with every batch; spans of failed batches are lost and counted in "
                    + "\(MetricName.droppedSpans)"))
    }

    /// `count` ended spans did not fit the queue.
    func spansDropped(_ count: Int) {
        guard countLost(count, firstTime: \.droppingAnnounced) else { return }
        logger.warning(
            Logger.Message(
                stringLiteral:
                    "telemetry: the span queue of \(exporterText) is full (\(queueSize) spans): spans are dropped "
                    + "until export recovers (counted in \(MetricName.droppedSpans))"))
    }

    /// Counts `count` lost spans and sets `flag`; true when it was not set (the loss is news).
    private func countLost(_ count: Int, firstTime flag: WritableKeyPath<State, Bool> & Sendable) -> Bool {
        let (first, metrics) = state.withLock { state in
            state.droppedDuringOutage += count
            state.droppedTotal += count
            defer { state[keyPath: flag] = true }
            return (!state[keyPath: flag], state.metrics)
        }
        metrics.countDroppedSpans(count)
        return first
    }

    /// A batch reached the collector.
    func batchExported() {
        let recovered: (wasFailing: Bool, lost: Int)? = state.withLock { state in
            guard state.spansFailing || state.droppingAnnounced else { return nil }
            defer {
                state.spansFailing = false
                state.droppingAnnounced = false
                state.droppedDuringOutage = 0
            }
            return (state.spansFailing, state.droppedDuringOutage)
        }
        if let (wasFailing, lost) = recovered {
            let what = wasFailing ? "exporting spans to \(exporterText) works again" : "the span queue has room again"
            logger.info("telemetry: \(what); \(lost) spans were lost meanwhile")
        }
    }

    /// An event of swift-otel's diagnostic log (metrics export).
    func receive(_ event: LogEvent, loggerMetadata: Logger.Metadata) {
        let component = event.metadata?["component"] ?? loggerMetadata["component"]
        let message = event.message.description
        let reason =
            event.error.map { String(describing: $0) } ?? event.metadata?["error"]?.description ?? "unknown error"
        switch (component?.description, message) {
        case (Diagnostic.metricsReader, Diagnostic.metricsFailed):
            let first = state.withLock { state in
                state.metricsFailedSinceLastExport = true
                defer { state.metricsFailing = true }
                return !state.metricsFailing
            }
            if first {
                logger.warning(
                    Logger.Message(
                        stringLiteral:
                            "telemetry: cannot export metrics to \(exporterText): \(reason). The server keeps running and "
                            + "retries at every interval"))
            }
        case (Diagnostic.metricsReader, Diagnostic.metricsExporting):
            // An export starts; the previous one worked if it logged no failure.
            let recovered = state.withLock { state in
                defer { state.metricsFailedSinceLastExport = false }
                guard state.metricsFailing, !state.metricsFailedSinceLastExport else { return false }
                state.metricsFailing = false
                return true
            }
            if recovered { logger.info("telemetry: exporting metrics to \(exporterText) works again") }
        default:
            guard event.level >= .info else { return }
            let detail = event.error.map { ": \($0)" } ?? ""
            logger.log(level: event.level, "telemetry (\(exporterText)): \(message)\(detail)")
        }
    }
}

/// Hands swift-otel's diagnostic log events (metrics export) to an ``ExportMonitor``.
struct ExportMonitorHandler: LogHandler {
    let monitor: ExportMonitor
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        monitor.receive(event, loggerMetadata: metadata)
    }
}
