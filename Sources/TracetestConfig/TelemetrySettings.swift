import Foundation
import OrderedCollections
import TracetestModel

/// The `telemetry` section: named exporters the server's own telemetry can be sent to.
package struct TelemetrySettings: Sendable, Equatable {
    /// `telemetry.exporters`, in file order. This map is read from the configuration file only: there are no
    /// `TRACETEST_TELEMETRY_EXPORTERS_*` variables.
    package var exporters: OrderedDictionary<String, ExporterSettings>

    package init(exporters: OrderedDictionary<String, ExporterSettings> = [:]) {
        self.exporters = exporters
    }
}

/// One entry of `telemetry.exporters`: an OTLP collector and how much to send it.
package struct ExporterSettings: Sendable, Equatable {
    /// The `service.name` of the exported telemetry.
    package var serviceName: String
    /// Percent of traces to sample, 0...100; `nil` when the key is omitted.
    package var sampling: Double?
    /// How often metrics are exported.
    package var metricsReaderInterval: GoDuration
    /// `exporter.type`: `collector` (OTLP/gRPC, as Tracetest) or `otlphttp` (OTLP/HTTP, an extension).
    package var exporterType: String
    /// `exporter.collector.endpoint`: the collector's OTLP/gRPC `host:port` (plaintext) or URL (`http://`, `https://`).
    package var collectorEndpoint: String
    /// `exporter.otlphttp.endpoint`: the base URL of an OTLP/HTTP receiver, such as `http://otel-collector:4318`.
    package var otlpHTTPEndpoint: String

    package init(
        serviceName: String = "tracetest",
        sampling: Double? = nil,
        metricsReaderInterval: GoDuration = .seconds(10),
        exporterType: String = "collector",
        collectorEndpoint: String = "",
        otlpHTTPEndpoint: String = ""
    ) {
        self.serviceName = serviceName
        self.sampling = sampling
        self.metricsReaderInterval = metricsReaderInterval
        self.exporterType = exporterType
        self.collectorEndpoint = collectorEndpoint
        self.otlpHTTPEndpoint = otlpHTTPEndpoint
    }

    /// The percentage of traces to sample: `sampling`, or 100 when it is omitted.
    package var effectiveSampling: Double { sampling ?? 100 }

    /// Where the exporter sends, from `exporterType` and its endpoint; `nil` when the endpoint is not valid.
    package var endpoint: ExporterEndpoint? {
        switch exporterType {
        case ExporterEndpoint.collectorType: ExporterEndpoint.collector(collectorEndpoint)
        case ExporterEndpoint.otlpHTTPType: ExporterEndpoint.otlpHTTP(otlpHTTPEndpoint)
        default: nil
        }
    }
}

/// Where an exporter sends its telemetry.
package enum ExporterEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// OTLP/gRPC to `url`: `http://host:port` (plaintext) or `https://host:port` (TLS).
    case grpc(url: String)
    /// OTLP/HTTP with protobuf bodies; `/v1/traces` and `/v1/metrics` are appended to the base `url`.
    case http(url: String)

    /// The `exporter.type` values.
    package static let collectorType = "collector"
    package static let otlpHTTPType = "otlphttp"

    package var description: String {
        switch self {
        case .grpc(let url): "OTLP/gRPC \(url)"
        case .http(let url): "OTLP/HTTP \(url)"
        }
    }

    /// A collector endpoint: `host:port` (plaintext, as Tracetest), or an `http://` or `https://` URL whose port
    /// defaults to 4317.
    package static func collector(_ text: String) -> ExporterEndpoint? {
        let text = text.trimmingCharacters(in: .whitespaces)
        let hasScheme = text.contains("://")
        guard let url = URLComponents(string: hasScheme ? text : "http://" + text),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/",
            url.query == nil, url.user == nil
        else { return nil }
        guard let port = url.port ?? (hasScheme ? 4317 : nil), (1...65535).contains(port) else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return .grpc(url: "\(scheme)://\(shownHost):\(port)")
    }

    /// An OTLP/HTTP base URL: `http://` or `https://`, with an optional path prefix.
    package static func otlpHTTP(_ text: String) -> ExporterEndpoint? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let url = URLComponents(string: text),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.user == nil,
            url.port.map({ (1...65535).contains($0) }) ?? true
        else { return nil }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return .http(url: base)
    }

    /// The URL of traces for OTLP/HTTP, or the gRPC target.
    package var tracesURL: String {
        switch self {
        case .grpc(let url): url
        case .http(let url): url + "/v1/traces"
        }
    }

    /// The URL of metrics for OTLP/HTTP, or the gRPC target.
    package var metricsURL: String {
        switch self {
        case .grpc(let url): url
        case .http(let url): url + "/v1/metrics"
        }
    }
}
