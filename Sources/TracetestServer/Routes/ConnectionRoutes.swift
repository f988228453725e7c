import Hummingbird
import TracetestIngest
import TracetestModel

/// The OTLP connection check of the setup wizard: spans received since the last reset.
struct ConnectionRoutes {
    let spans: SpanStore

    func register(on api: RouterGroup<BasicRequestContext>) {
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
