import Foundation
import Logging
import OTel
import ServiceLifecycle
import TracetestConfig
import TracetestModel

/// The server's own telemetry, built from `server.telemetry` and `telemetry.exporters`: the internal tracer and
/// metrics (`exporter`), the application tracer (`applicationExporter`) and the services that export them.
///
/// Nothing is bootstrapped globally, so several servers can run in one process. Run ``services`` in the server's
/// service group after the services whose spans they should flush at shutdown (a service group stops its services
/// in reverse order).
package struct Telemetry: Sendable {
    /// The server's own spans; disabled when `server.telemetry.exporter` is empty.
    package let tracer: InternalTracer
    /// The `Tracetest trigger` span; exports only when `server.telemetry.applicationExporter` is set.
    package let application: ApplicationTracer
    /// The server's metrics; disabled when `server.telemetry.exporter` is empty.
    package let metrics: TelemetryMetrics
    /// The exporters' background work. None of them ends the server: a failure is logged and telemetry stops.
    package let services: [any Service]
    /// The `service.instance.id` of the internal spans, which the OTLP receiver uses to recognise this server's own
    /// telemetry coming back.
    package let instanceID: String
    let monitors: [ExportMonitor]

    /// No telemetry at all.
    package static let disabled = Telemetry(
        tracer: .disabled, application: .disabled, metrics: .disabled, services: [], instanceID: "", monitors: [])

    /// Logging metadata for the active span (`trace_id`, `span_id`, `trace_flags`), for `LoggingSystem.bootstrap`.
    package static let loggingMetadataProvider = Logger.MetadataProvider {
        guard let context = SpanContext.current else { return [:] }
        return [
            "trace_id": "\(context.traceID.hex)", "span_id": "\(context.spanID.hex)",
            "trace_flags": context.isSampled ? "01" : "00",
        ]
    }

    /// Spans the internal exporter dropped because its queue was full, since start.
    package var droppedSpans: Int { monitors.first?.droppedSpans ?? 0 }

    /// The batching of spans: a batch every 100 ms, at most 512 spans a batch, at most 2048 waiting.
    package static let scheduleDelay = Duration.milliseconds(100)
    package static let maxQueueSize = 2048
    package static let maxExportBatchSize = 512
    /// How long one export request may take (OpenTelemetry's default for OTLP exporters).
    package static let exportTimeout = Duration.seconds(10)
    /// How long one batch may take to export, including the exporter's retries (OpenTelemetry's default); a busy or
    /// just-started collector gets this long before a batch is given up.
    package static let batchExportTimeout = Duration.seconds(30)
    /// How long shutdown waits for the exporters to flush before abandoning what is left.
    package static let shutdownLimit = Duration.seconds(10)

    /// Builds the telemetry `configuration` asks for and logs what it does (exporter, endpoint, service name,
    /// sampling). An exporter that cannot be reached is not an error: export is retried while the server runs.
    ///
    /// Spans are recorded and exported here (an ended span is queued without waking a task; ``SpanExportService``
    /// sends the queue every ``scheduleDelay``); metrics go through swift-otel.
    ///
    /// - Parameter exportStarts: returns when export may begin (the server's listeners are up, so spans sent to its
    ///   own receiver arrive); what is recorded before waits in memory.
    package static func bootstrap(
        configuration: ServerConfiguration,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        exportStarts: @escaping @Sendable () async -> Void = {}
    ) throws(TelemetryError) -> Telemetry {
        let names = configuration.server.telemetry
        if !names.dataStore.isEmpty {
            logger.info(
                Logger.Message(
                    stringLiteral:
                        "server.telemetry.dataStore (\"\(names.dataStore)\") is accepted for compatibility with Tracetest "
                        + "and ignored"))
        }
        if ["true", "1"].contains(environment["OTEL_SDK_DISABLED"]?.lowercased()),
            !names.exporter.isEmpty || !names.applicationExporter.isEmpty
        {
            logger.info("telemetry: OTEL_SDK_DISABLED is set: internal telemetry and the trigger span are not exported")
            return .disabled
        }
        let instanceID = UUID().uuidString.lowercased()
        var services: [any Service] = []
        var monitors: [ExportMonitor] = []
        var tracer = InternalTracer.disabled
        var metrics = TelemetryMetrics.disabled
        var application = ApplicationTracer.disabled
        let options = try OTLPExportOptions(environment: environment)
        func spanExport(
            _ settings: ExporterSettings, _ endpoint: ExporterEndpoint, _ attributes: [String: String],
            _ monitor: ExportMonitor, name: String
        ) throws(TelemetryError) -> SpanRecorder {
            let queue = SpanQueue(capacity: maxQueueSize)
            let resource = try resourceAttributes(
                attributes, serviceName: settings.serviceName, environment: environment)
            let service = SpanExportService(
                queue: queue, resource: OTLPSpanEncoding.resource(resource), endpoint: endpoint, options: options,
                monitor: monitor, clock: ContinuousClock())
            services.append(ResilientService(service, name: name, startsAfter: exportStarts, logger: logger))
            return SpanRecorder(sampler: TraceSampler(percent: settings.effectiveSampling), queue: queue)
        }

        if !names.exporter.isEmpty {
            let (settings, endpoint) = try exporter(names.exporter, key: "server.telemetry.exporter", configuration)
            let monitor = ExportMonitor(
                exporterName: names.exporter, endpoint: endpoint, queueSize: maxQueueSize, logger: logger)
            var attributes = resourceAttributes()
            attributes["service.instance.id"] = instanceID
            let sampling = settings.effectiveSampling
            tracer = InternalTracer(try spanExport(settings, endpoint, attributes, monitor, name: "span export"))
            do {
                let metricsBackend = try OTel.makeMetricsBackend(
                    configuration: metricsConfiguration(settings, endpoint, attributes, monitor))
                metrics = TelemetryMetrics(metricsBackend.factory)
                services.append(
                    ResilientService(
                        metricsBackend.service, name: "metrics export", startsAfter: exportStarts, logger: logger))
            } catch {
                throw TelemetryError(
                    "server.telemetry.exporter: cannot set up exporter \"\(names.exporter)\" (\(endpoint)): \(error); "
                        + "check telemetry.exporters.\(names.exporter) and any OTEL_* variables")
            }
            monitor.countDrops(in: metrics)
            monitors.append(monitor)
            logger.info(
                Logger.Message(
                    stringLiteral:
                        "telemetry: internal spans and metrics go to exporter \"\(names.exporter)\" (\(endpoint)) as "
                        + "service \"\(settings.serviceName)\", sampling \(percent(sampling))"
                        + (settings.sampling == nil ? " (sampling is not set)" : "")
                        + ", metrics every \(settings.metricsReaderInterval)"))
        } else {
            logger.info("telemetry: server.telemetry.exporter is empty: the server's own spans and metrics are off")
        }

        if !names.applicationExporter.isEmpty {
            let name = names.applicationExporter
            let (settings, endpoint) = try exporter(name, key: "server.telemetry.applicationExporter", configuration)
            let monitor = ExportMonitor(exporterName: name, endpoint: endpoint, queueSize: maxQueueSize, logger: logger)
            let sampling = settings.effectiveSampling
            application = ApplicationTracer(
                try spanExport(settings, endpoint, resourceAttributes(), monitor, name: "trigger span export"))
            monitor.countDrops(in: metrics)
            logger.info(
                Logger.Message(
                    stringLiteral:
                        "telemetry: the Tracetest trigger span goes to exporter \"\(name)\" (\(endpoint)) as service "
                        + "\"\(settings.serviceName)\", sampling \(percent(sampling))"
                        + (settings.sampling == nil ? " (sampling is not set)" : "")))
        }
        return Telemetry(
            tracer: tracer, application: application, metrics: metrics, services: services, instanceID: instanceID,
            monitors: monitors)
    }

    private static func exporter(
        _ name: String,
        key: String,
        _ configuration: ServerConfiguration
    ) throws(TelemetryError) -> (ExporterSettings, ExporterEndpoint) {
        let exporters = configuration.telemetry.exporters
        guard let settings = exporters[name] else {
            throw TelemetryError(
                "\(key): invalid exporter option: \"\(name)\". Available options: "
                    + "[\(exporters.keys.joined(separator: ", "))]")
        }
        guard let endpoint = settings.endpoint else {
            throw TelemetryError(
                "telemetry.exporters.\(name): exporter type \"\(settings.exporterType)\" with endpoint "
                    + "\"\(settings.collectorEndpoint)\(settings.otlpHTTPEndpoint)\" is not usable; use type collector "
                    + "with a host:port or URL, or type otlphttp with a URL")
        }
        return (settings, endpoint)
    }

    /// `service.version`, `host.name` and `telemetry.sdk.*`; `service.name` comes from the exporter's
    /// `serviceName`, and `OTEL_RESOURCE_ATTRIBUTES` adds keys not set here.
    static func resourceAttributes() -> [String: String] {
        [
            "service.version": TracetestVersion.current,
            "host.name": ProcessInfo.processInfo.hostName,
            "telemetry.sdk.name": "swift-otel",
            "telemetry.sdk.language": "swift",
            "telemetry.sdk.version": swiftOTelVersion,
        ]
    }

    /// The resource of exported spans, built as swift-otel builds that of metrics: `attributes`, then the keys of
    /// `OTEL_RESOURCE_ATTRIBUTES` not set there; `service.name` is `OTEL_SERVICE_NAME` or else `serviceName`.
    static func resourceAttributes(
        _ attributes: [String: String], serviceName: String, environment: [String: String]
    ) throws(TelemetryError) -> [String: String] {
        var resource = attributes
        if let text = environment["OTEL_RESOURCE_ATTRIBUTES"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let extra = try OTLPExportOptions.pairs(text, variable: "OTEL_RESOURCE_ATTRIBUTES")
            resource.merge(extra) { configured, _ in configured }
        }
        let name = environment["OTEL_SERVICE_NAME"]?.trimmingCharacters(in: .whitespaces) ?? ""
        resource["service.name"] = name.isEmpty ? serviceName : name
        return resource
    }

    /// The swift-otel release the server is built with (Package.swift).
    static let swiftOTelVersion = "1.6.0"

    /// swift-otel's configuration for the metrics of an exporter entry: OTLP with gzip, every
    /// `metricsReaderInterval`, failures reported to `monitor`.
    static func metricsConfiguration(
        _ settings: ExporterSettings, _ endpoint: ExporterEndpoint, _ attributes: [String: String],
        _ monitor: ExportMonitor
    ) -> OTel.Configuration {
        var otel = OTel.Configuration.default
        otel.serviceName = settings.serviceName
        otel.resourceAttributes = attributes
        otel.diagnosticLogger = .custom(monitor.diagnosticLogger)
        otel.diagnosticLogLevel = .debug
        otel.logs.enabled = false
        otel.traces.enabled = false
        otel.metrics.exportInterval = settings.metricsReaderInterval.duration
        otel.metrics.exportTimeout = batchExportTimeout
        otel.metrics.otlpExporter.endpoint = endpoint.metricsURL
        switch endpoint {
        case .grpc: otel.metrics.otlpExporter.protocol = .grpc
        case .http: otel.metrics.otlpExporter.protocol = .httpProtobuf
        }
        otel.metrics.otlpExporter.compression = .gzip
        otel.metrics.otlpExporter.timeout = exportTimeout
        return otel
    }

    private static func percent(_ value: Double) -> String {
        (value == value.rounded() ? String(Int(value)) : String(value)) + " %"
    }
}

/// Telemetry that cannot be set up as configured.
package struct TelemetryError: Error, CustomStringConvertible, Sendable {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
