import OrderedCollections
import TracetestModel

/// The `telemetry` section: named exporters the server's own telemetry can be sent to.
public struct TelemetrySettings: Sendable, Equatable {
    /// `telemetry.exporters`, in file order. This map is read from the configuration file only: there are no
    /// `TRACETEST_TELEMETRY_EXPORTERS_*` variables.
    public var exporters: OrderedDictionary<String, ExporterSettings>

    public init(exporters: OrderedDictionary<String, ExporterSettings> = [:]) {
        self.exporters = exporters
    }
}

/// One entry of `telemetry.exporters`: an OTLP/gRPC collector and how much to send it.
public struct ExporterSettings: Sendable, Equatable {
    /// The `service.name` of the exported telemetry.
    public var serviceName: String
    /// Percent of traces to sample, 0...100; `nil` when the key is omitted.
    public var sampling: Double?
    /// How often metrics are exported.
    public var metricsReaderInterval: GoDuration
    /// `exporter.type`; `collector` is the only supported value.
    public var exporterType: String
    /// `exporter.collector.endpoint`: the collector's OTLP/gRPC `host:port`.
    public var collectorEndpoint: String

    public init(
        serviceName: String = "tracetest",
        sampling: Double? = nil,
        metricsReaderInterval: GoDuration = .seconds(10),
        exporterType: String = "collector",
        collectorEndpoint: String = ""
    ) {
        self.serviceName = serviceName
        self.sampling = sampling
        self.metricsReaderInterval = metricsReaderInterval
        self.exporterType = exporterType
        self.collectorEndpoint = collectorEndpoint
    }
}
