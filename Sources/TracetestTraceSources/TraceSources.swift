import AsyncHTTPClient
import TracetestIngest
import TracetestModel

/// Builds the trace source of a data store; the HTTP stores share one client (its connections are reused across
/// polls and runs).
package final class TraceSources: Sendable {
    private let http: HTTPClient

    package init() {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(storeCallTimeout.components.seconds))
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The source runs of `store` poll; nil for the stores fed by the OTLP receiver (``DataStore/isFedByOTLP``).
    package func source(for store: DataStore) throws(TraceSourceError) -> (any TraceSource)? {
        switch store.type {
        case "jaeger": return JaegerSource(settings: store.jaeger ?? GRPCClientSettings())
        case "tempo": return TempoSource(settings: store.tempo ?? TempoSettings(), client: http)
        case "opensearch": return OpenSearchSource(settings: store.opensearch ?? ElasticSettings(), client: http)
        case "elasticapm": return ElasticAPMSource(settings: store.elasticapm ?? ElasticSettings(), client: http)
        case _ where store.isFedByOTLP: return nil
        default:
            throw TraceSourceError(
                .failed,
                "data store type \(store.type) is not supported by this server yet: send the spans to its OTLP "
                    + "receiver (an OpenTelemetry Collector can send them to both) and use type otlp")
        }
    }

    /// Closes the shared HTTP client's connections.
    package func shutdown() async {
        try? await http.shutdown()
    }
}
