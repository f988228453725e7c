/// Where runs fetch traces from: the built-in OTLP receiver or an external trace store (singleton `current`).
///
/// The type-specific section sits beside the common fields (`jaeger: {...}`, `tempo: {...}`).
public struct DataStore: ResourceSpec {
    public static let kind = ResourceKind.dataStore

    public var id: String
    public var name: String
    public var type: String
    public var isDefault: Bool
    /// As sent by the client; must be RFC 3339 when present.
    public var createdAt: String
    public var jaeger: GRPCClientSettings?
    public var tempo: TempoSettings?
    public var opensearch: ElasticSettings?
    public var elasticapm: ElasticSettings?
    public var signalfx: SignalFXSettings?
    public var awsxray: AWSXRaySettings?
    public var azureappinsights: AzureAppInsightsSettings?
    public var sumologic: SumoLogicSettings?

    /// Every `type` Tracetest knows.
    public static let types = [
        "agent", "awsxray", "azureappinsights", "dash0", "datadog", "dynatrace", "elasticapm", "honeycomb", "instana",
        "jaeger", "lightstep", "newrelic", "opensearch", "otlp", "signalfx", "signoz", "sumologic", "tempo",
    ]

    /// The store used when none was configured: the built-in OTLP receiver.
    public static func defaultStore(createdAt: Timestamp) -> DataStore {
        DataStore(id: ResourceKind.singletonID, name: "OTLP", type: "otlp", createdAt: createdAt.rfc3339)
    }

    public init(
        id: String = "",
        name: String = "",
        type: String = "",
        isDefault: Bool = true,
        createdAt: String = "",
        jaeger: GRPCClientSettings? = nil,
        tempo: TempoSettings? = nil,
        opensearch: ElasticSettings? = nil,
        elasticapm: ElasticSettings? = nil,
        signalfx: SignalFXSettings? = nil,
        awsxray: AWSXRaySettings? = nil,
        azureappinsights: AzureAppInsightsSettings? = nil,
        sumologic: SumoLogicSettings? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.isDefault = isDefault
        self.createdAt = createdAt
        self.jaeger = jaeger
        self.tempo = tempo
        self.opensearch = opensearch
        self.elasticapm = elasticapm
        self.signalfx = signalfx
        self.awsxray = awsxray
        self.azureappinsights = azureappinsights
        self.sumologic = sumologic
    }

    public func validate() throws(ValidationError) {
        if name.isEmpty { throw ValidationError("data store should have a name") }
        guard Self.types.contains(type) else {
            throw ValidationError(
                "unsupported data store type \(type) (use one of: \(Self.types.joined(separator: ", ")))"
            )
        }
        if !createdAt.isEmpty, Timestamp(rfc3339: createdAt) == nil {
            throw ValidationError("createdAt \"\(createdAt)\" is not an RFC 3339 time (e.g. 2024-05-01T12:00:00Z)")
        }
        let sections: [String: Bool] = [
            "jaeger": jaeger != nil, "tempo": tempo != nil, "opensearch": opensearch != nil,
            "elasticapm": elasticapm != nil, "signalfx": signalfx != nil, "awsxray": awsxray != nil,
            "azureappinsights": azureappinsights != nil, "sumologic": sumologic != nil,
        ]
        if let present = sections[type], !present {
            throw ValidationError("data store of type \(type) needs its settings under spec.\(type)")
        }
    }

    /// Forces id `current` and `default: true`; keeps a valid client `createdAt`, else the stored one, else now.
    public mutating func prepareForSave(previous: DataStore?, now: Timestamp) {
        id = ResourceKind.singletonID
        isDefault = true
        if Timestamp(rfc3339: createdAt) == nil {
            createdAt = previous?.createdAt ?? now.rfc3339
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, type, isDefault = "default", createdAt, jaeger, tempo, opensearch, elasticapm, signalfx,
            awsxray, azureappinsights, sumologic
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        type = try c.value(.type, or: "")
        isDefault = try c.value(.isDefault, or: true)
        createdAt = try c.value(.createdAt, or: "")
        jaeger = try c.decodeIfPresent(GRPCClientSettings.self, forKey: .jaeger)
        tempo = try c.decodeIfPresent(TempoSettings.self, forKey: .tempo)
        opensearch = try c.decodeIfPresent(ElasticSettings.self, forKey: .opensearch)
        elasticapm = try c.decodeIfPresent(ElasticSettings.self, forKey: .elasticapm)
        signalfx = try c.decodeIfPresent(SignalFXSettings.self, forKey: .signalfx)
        awsxray = try c.decodeIfPresent(AWSXRaySettings.self, forKey: .awsxray)
        azureappinsights = try c.decodeIfPresent(AzureAppInsightsSettings.self, forKey: .azureappinsights)
        sumologic = try c.decodeIfPresent(SumoLogicSettings.self, forKey: .sumologic)
    }
}

public struct GRPCClientSettings: Codable, Sendable, Equatable {
    public var endpoint: String?
    public var readBufferSize: Int?
    public var writeBufferSize: Int?
    public var waitForReady: Bool?
    public var headers: [String: String]?
    public var balancerName: String?
    /// `gzip`, `zlib`, `deflate`, `snappy`, `zstd` or `none`.
    public var compression: String?
    public var tls: TLSSettings?

    public init(endpoint: String? = nil, tls: TLSSettings? = nil) {
        self.endpoint = endpoint
        self.tls = tls
    }
}

public struct TLSSettings: Codable, Sendable, Equatable {
    public var insecure: Bool?
    public var insecureSkipVerify: Bool?
    public var serverName: String?
    public var settings: Files?

    public struct Files: Codable, Sendable, Equatable {
        public var cAFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var minVersion: String?
        public var maxVersion: String?
    }

    public init(insecure: Bool? = nil) {
        self.insecure = insecure
    }
}

public struct TempoSettings: Codable, Sendable, Equatable {
    /// `grpc` or `http`.
    public var type: String?
    public var grpc: GRPCClientSettings?
    public var http: HTTPClientSettings?
}

public struct HTTPClientSettings: Codable, Sendable, Equatable {
    public var url: String?
    public var headers: [String: String]?
    public var tls: TLSSettings?
}

/// OpenSearch and Elastic APM connection settings.
public struct ElasticSettings: Codable, Sendable, Equatable {
    public var addresses: [String]?
    public var username: String?
    public var password: String?
    public var index: String?
    public var certificate: String?
    public var insecureSkipVerify: Bool?
}

public struct SignalFXSettings: Codable, Sendable, Equatable {
    public var realm: String?
    public var token: String?
}

public struct AWSXRaySettings: Codable, Sendable, Equatable {
    public var region: String?
    public var accessKeyId: String?
    public var secretAccessKey: String?
    public var sessionToken: String?
    public var useDefaultAuth: Bool?
}

public struct AzureAppInsightsSettings: Codable, Sendable, Equatable {
    public var useAzureActiveDirectoryAuth: Bool?
    public var accessToken: String?
    public var resourceArmId: String?
    /// `direct` or `collector`.
    public var connectionType: String?
}

public struct SumoLogicSettings: Codable, Sendable, Equatable {
    public var url: String?
    public var accessID: String?
    public var accessKey: String?
}
