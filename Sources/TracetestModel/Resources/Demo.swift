/// A demo application the web UI offers examples for.
package struct Demo: ResourceSpec {
    package static let kind = ResourceKind.demo

    package var id: String
    package var name: String
    /// `pokeshop` or `otelstore`.
    package var type: String
    package var enabled: Bool
    package var pokeshop: Pokeshop?
    package var opentelemetryStore: OpenTelemetryStore?

    package struct Pokeshop: Codable, Sendable, Equatable {
        package var httpEndpoint: String?
        package var grpcEndpoint: String?
        package var kafkaBroker: String?

        package init(httpEndpoint: String? = nil, grpcEndpoint: String? = nil, kafkaBroker: String? = nil) {
            self.httpEndpoint = httpEndpoint
            self.grpcEndpoint = grpcEndpoint
            self.kafkaBroker = kafkaBroker
        }
    }

    package struct OpenTelemetryStore: Codable, Sendable, Equatable {
        package var frontendEndpoint: String?
        package var productCatalogEndpoint: String?
        package var cartEndpoint: String?
        package var checkoutEndpoint: String?
    }

    package init(
        id: String = "",
        name: String = "",
        type: String = "",
        enabled: Bool = false,
        pokeshop: Pokeshop? = nil,
        opentelemetryStore: OpenTelemetryStore? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.enabled = enabled
        self.pokeshop = pokeshop
        self.opentelemetryStore = opentelemetryStore
    }

    enum CodingKeys: String, CodingKey { case id, name, type, enabled, pokeshop, opentelemetryStore }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        type = try c.value(.type, or: "")
        enabled = try c.value(.enabled, or: false)
        pokeshop = try c.decodeIfPresent(Pokeshop.self, forKey: .pokeshop)
        opentelemetryStore = try c.decodeIfPresent(OpenTelemetryStore.self, forKey: .opentelemetryStore)
    }
}
