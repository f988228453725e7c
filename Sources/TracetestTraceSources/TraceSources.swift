import AsyncHTTPClient
import Foundation
import TracetestIngest
import TracetestModel

/// Builds the trace source of a data store; the HTTP stores share one client for the life of the process (its
/// connections are reused across polls and runs; every call is bounded by ``storeCallTimeout``).
package struct TraceSources: Sendable {
    /// A refused or failed connection is reported at once rather than retried until the call's deadline, so a run
    /// against a store that is down fails at its first poll.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private let http = TraceSources.client
    private let grpc: StoreGRPCClients
    private let environment: [String: String]

    /// - Parameters:
    ///   - grpcClients: where Jaeger's and Tempo's gRPC clients are kept (a service of the server); without one
    ///     running, each call makes its own.
    ///   - environment: where X-Ray's `useDefaultAuth` and Azure's `useAzureActiveDirectoryAuth` look for
    ///     credentials (the process's environment).
    package init(
        grpcClients: StoreGRPCClients = StoreGRPCClients(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        grpc = grpcClients
        self.environment = environment
    }

    /// The source runs of `store` poll; nil for the stores fed by the OTLP receiver (``DataStore/isFedByOTLP``).
    package func source(for store: DataStore) throws(TraceSourceError) -> (any TraceSource)? {
        switch store.type {
        case "jaeger": return JaegerSource(settings: store.jaeger ?? GRPCClientSettings(), clients: grpc)
        case "tempo": return TempoSource(settings: store.tempo ?? TempoSettings(), client: http, clients: grpc)
        case "opensearch": return OpenSearchSource(settings: store.opensearch ?? ElasticSettings(), client: http)
        case "elasticapm": return ElasticAPMSource(settings: store.elasticapm ?? ElasticSettings(), client: http)
        case "signalfx": return SignalFxSource(settings: store.signalfx ?? SignalFXSettings(), client: http)
        case "sumologic": return SumoLogicSource(settings: store.sumologic ?? SumoLogicSettings(), client: http)
        case "awsxray":
            return AWSXRaySource(settings: store.awsxray ?? AWSXRaySettings(), client: http, environment: environment)
        case _ where store.isFedByOTLP: return nil
        case "azureappinsights":
            return AzureAppInsightsSource(
                settings: store.azureappinsights ?? AzureAppInsightsSettings(), client: http, environment: environment)
        default:
            throw TraceSourceError(
                .failed,
                "data store type \(store.type) is not supported by this server yet: send the spans to its OTLP "
                    + "receiver (an OpenTelemetry Collector can send them to both) and use type otlp")
        }
    }
}
