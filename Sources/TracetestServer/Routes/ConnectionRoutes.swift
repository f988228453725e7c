import Hummingbird
import TracetestIngest
import TracetestModel
import TracetestStorage
import TracetestTraceSources

/// The connection test of a data store (`POST /api/config/connection`) and the OTLP check of the setup wizard
/// (spans received since the last reset).
struct ConnectionRoutes {
    let spans: SpanStore
    let store: Store
    let sources: TraceSources

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("config/connection") { request, _ in
            var dataStore = try await request.decodeBody(DataStore.self)
            try dataStore.validate()
            // Secrets the API showed masked are the stored ones.
            if dataStore.hasMaskedSecrets { dataStore = dataStore.keepingSecrets(of: try await store.dataStores.get()) }
            let source: (any TraceSource)?
            do throws(TraceSourceError) {
                source = try sources.source(for: dataStore)
            } catch {
                throw APIError.badRequest(error.message)
            }
            guard let source else { return OpenAPIResponse.json(.object([:])) }
            return OpenAPIResponse.json(await ConnectionTest.run(source).wire)
        }
        api.get("config/connection/otlp") { _, _ in
            let statistics = await spans.currentStatistics()
            return OpenAPIResponse.json(
                .object([
                    "spanCount": .integer(Int64(statistics.spanCount)),
                    "lastSpanTimestamp": .string((statistics.lastSpanTime ?? .zero).rfc3339),
                ])
            )
        }
        api.post("config/connection/otlp/reset") { _, _ in
            await spans.resetStatistics()
            return OpenAPIResponse.json(.null)
        }
    }
}
