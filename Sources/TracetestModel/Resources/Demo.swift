/// A demo application the web UI offers examples for.
public struct Demo: ResourceSpec {
    public static let kind = ResourceKind.demo

    public var id: String
    public var name: String
    /// `pokeshop` or `otelstore`.
    public var type: String
    public var enabled: Bool
    public var pokeshop: Pokeshop?
    public var opentelemetryStore: OpenTelemetryStore?

    public struct Pokeshop: Codable, Sendable, Equatable {
        public var httpEndpoint: String?
        public var grpcEndpoint: String?
        public var kafkaBroker: String?

        public init(httpEndpoint: String? = nil, grpcEndpoint: String? = nil, kafkaBroker: String? = nil) {
            self.httpEndpoint = httpEndpoint
            self.grpcEndpoint = grpcEndpoint
            self.kafkaBroker = kafkaBroker
        }
    }

    public struct OpenTelemetryStore: Codable, Sendable, Equatable {
        public var frontendEndpoint: String?
        public var productCatalogEndpoint: String?
        public var cartEndpoint: String?
        public var checkoutEndpoint: String?
    }

    public init(
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

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        type = try c.value(.type, or: "")
        enabled = try c.value(.enabled, or: false)
        pokeshop = try c.decodeIfPresent(Pokeshop.self, forKey: .pokeshop)
        opentelemetryStore = try c.decodeIfPresent(OpenTelemetryStore.self, forKey: .opentelemetryStore)
    }
}
