/// Where runs fetch traces from: the built-in OTLP receiver or an external trace store (singleton `current`).
///
/// The type-specific section sits beside the common fields (`jaeger: {...}`, `tempo: {...}`).
package struct DataStore: ResourceSpec {
    package static let kind = ResourceKind.dataStore

    package var id: String
    package var name: String
    package var type: String
    package var isDefault: Bool
    /// As sent by the client; must be RFC 3339 when present.
    package var createdAt: String
    package var jaeger: GRPCClientSettings?
    package var tempo: TempoSettings?
    package var opensearch: ElasticSettings?
    package var elasticapm: ElasticSettings?
    package var signalfx: SignalFXSettings?
    package var awsxray: AWSXRaySettings?
    package var azureappinsights: AzureAppInsightsSettings?
    package var sumologic: SumoLogicSettings?

    /// Every `type` Tracetest knows.
    package static let types = [
        "agent", "awsxray", "azureappinsights", "dash0", "datadog", "dynatrace", "elasticapm", "honeycomb", "instana",
        "jaeger", "lightstep", "newrelic", "opensearch", "otlp", "signalfx", "signoz", "sumologic", "tempo",
    ]

    /// The store used when none was configured: the built-in OTLP receiver.
    package static func defaultStore(createdAt: Timestamp) -> DataStore {
        DataStore(id: ResourceKind.singletonID, name: "OTLP", type: "otlp", createdAt: createdAt.rfc3339)
    }

    package init(
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

    package func validate() throws(ValidationError) {
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
        try validateSettings()
    }

    /// What the store's client needs to reach it: an endpoint or URL in the right form, and its other fields.
    private func validateSettings() throws(ValidationError) {
        func required(_ value: String?, _ field: String, example: String) throws(ValidationError) {
            if (value ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("spec.\(field) is required (for example \(example))")
            }
        }
        func hostPort(_ value: String?, _ field: String, example: String) throws(ValidationError) {
            try required(value, field, example: example)
            let text = value ?? ""
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
                Int(text[text.index(after: colon)...]).map({ (1...65535).contains($0) }) == true, !text.contains("/")
            else {
                throw ValidationError("spec.\(field) \"\(text)\" is not host:port (for example \(example))")
            }
        }
        func url(_ value: String?, _ field: String, example: String) throws(ValidationError) {
            try required(value, field, example: example)
            let text = value ?? ""
            guard let scheme = text.range(of: "://"),
                ["http", "https"].contains(text[..<scheme.lowerBound].lowercased()),
                text[scheme.upperBound...].contains(where: { $0 != "/" })
            else {
                throw ValidationError(
                    "spec.\(field) \"\(text)\" is not an http:// or https:// URL (for example \(example))")
            }
        }
        switch type {
        case "jaeger":
            try hostPort(jaeger?.endpoint, "jaeger.endpoint", example: "jaeger:16685")
        case "tempo":
            switch tempo?.type {
            case "grpc": try hostPort(tempo?.grpc?.endpoint, "tempo.grpc.endpoint", example: "tempo:9095")
            case "http": try url(tempo?.http?.url, "tempo.http.url", example: "http://tempo:3200")
            default:
                throw ValidationError(
                    "spec.tempo.type \"\(tempo?.type ?? "")\" is not one of: grpc, http (how to reach Tempo)")
            }
            if let limit = tempo?.maxResponseBytes, !TempoSettings.maxResponseBytesRange.contains(limit) {
                throw ValidationError(
                    "spec.tempo.maxResponseBytes \(limit) is out of range: use a number of bytes from 1024 to "
                        + "\(TempoSettings.maxResponseBytesRange.upperBound) (for example 10485760 for 10 MB)")
            }
        case "opensearch", "elasticapm":
            let settings = type == "opensearch" ? opensearch : elasticapm
            guard let addresses = settings?.addresses, !addresses.isEmpty else {
                throw ValidationError(
                    "spec.\(type).addresses needs at least one address (for example http://\(type):9200)")
            }
            for (index, address) in addresses.enumerated() {
                try url(address, "\(type).addresses[\(index)]", example: "http://\(type):9200")
            }
            try required(settings?.index, "\(type).index", example: "traces")
        case "signalfx":
            if (signalfx?.url ?? "").isEmpty {
                try required(signalfx?.realm, "signalfx.realm", example: "us1")
            } else {
                try url(signalfx?.url, "signalfx.url", example: "https://api.us1.signalfx.com")
            }
            try required(signalfx?.token, "signalfx.token", example: "an API access token")
        case "awsxray":
            try required(awsxray?.region, "awsxray.region", example: "us-west-2")
            if awsxray?.useDefaultAuth != true {
                try required(awsxray?.accessKeyId, "awsxray.accessKeyId", example: "AKIA…, or useDefaultAuth: true")
                try required(awsxray?.secretAccessKey, "awsxray.secretAccessKey", example: "the key's secret")
            }
            if !(awsxray?.url ?? "").isEmpty { try url(awsxray?.url, "awsxray.url", example: "http://localhost:4566") }
        case "azureappinsights":
            switch azureappinsights?.connectionType ?? "direct" {
            case "collector": break
            case "direct":
                try required(
                    azureappinsights?.resourceArmId, "azureappinsights.resourceArmId",
                    example: "/subscriptions/<id>/resourceGroups/<group>/providers/microsoft.insights/components/<name>"
                )
                if !(azureappinsights?.url ?? "").isEmpty {
                    try url(
                        azureappinsights?.url, "azureappinsights.url", example: "https://api.loganalytics.azure.com")
                }
            case let other:
                throw ValidationError(
                    "spec.azureappinsights.connectionType \"\(other)\" is not one of: direct, collector")
            }
        case "sumologic":
            try url(sumologic?.url, "sumologic.url", example: "https://api.sumologic.com/api/")
            try required(sumologic?.accessID, "sumologic.accessID", example: "an access id")
            try required(sumologic?.accessKey, "sumologic.accessKey", example: "its access key")
        default:
            break
        }
    }

    /// Forces id `current` and `default: true`; keeps a valid client `createdAt`, else the stored one, else now.
    package mutating func prepareForSave(previous: DataStore?, now: Timestamp) {
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

    package init(from decoder: any Decoder) throws {
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

package struct GRPCClientSettings: Codable, Sendable, Equatable {
    package var endpoint: String?
    package var readBufferSize: Int?
    package var writeBufferSize: Int?
    package var waitForReady: Bool?
    package var headers: [String: String]?
    package var balancerName: String?
    /// `gzip`, `zlib`, `deflate`, `snappy`, `zstd` or `none`.
    package var compression: String?
    package var tls: TLSSettings?

    package init(endpoint: String? = nil, tls: TLSSettings? = nil) {
        self.endpoint = endpoint
        self.tls = tls
    }
}

package struct TLSSettings: Codable, Sendable, Equatable {
    package var insecure: Bool?
    package var insecureSkipVerify: Bool?
    package var serverName: String?
    package var settings: Files?

    package struct Files: Codable, Sendable, Equatable {
        package var cAFile: String?
        package var certFile: String?
        package var keyFile: String?
        package var minVersion: String?
        package var maxVersion: String?

        package init(cAFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
            self.cAFile = cAFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    package init(insecure: Bool? = nil) {
        self.insecure = insecure
    }
}

package struct TempoSettings: Codable, Sendable, Equatable {
    /// `grpc` or `http`.
    package var type: String?
    package var grpc: GRPCClientSettings?
    package var http: HTTPClientSettings?
    /// The largest answer read from Tempo, in bytes (beyond upstream, which reads at most 10 MB); nil for the
    /// default of every store, 256 MB.
    package var maxResponseBytes: Int?

    /// What `maxResponseBytes` may be: from 1 KB to 2 GB.
    package static let maxResponseBytesRange = 1_024...(2_048 << 20)

    package init(
        type: String? = nil, grpc: GRPCClientSettings? = nil, http: HTTPClientSettings? = nil,
        maxResponseBytes: Int? = nil
    ) {
        self.type = type
        self.grpc = grpc
        self.http = http
        self.maxResponseBytes = maxResponseBytes
    }
}

package struct HTTPClientSettings: Codable, Sendable, Equatable {
    package var url: String?
    package var headers: [String: String]?
    package var tls: TLSSettings?

    package init(url: String? = nil, headers: [String: String]? = nil) {
        self.url = url
        self.headers = headers
    }
}

/// OpenSearch and Elastic APM connection settings.
package struct ElasticSettings: Codable, Sendable, Equatable {
    package var addresses: [String]?
    package var username: String?
    package var password: String?
    package var index: String?
    package var certificate: String?
    package var insecureSkipVerify: Bool?

    package init(addresses: [String]? = nil, username: String? = nil, password: String? = nil, index: String? = nil) {
        self.addresses = addresses
        self.username = username
        self.password = password
        self.index = index
    }
}

package struct SignalFXSettings: Codable, Sendable, Equatable {
    package var realm: String?
    package var token: String?
    /// The API's base URL instead of `https://api.<realm>.signalfx.com` (a proxy, a private endpoint, a test).
    package var url: String?

    package init(realm: String? = nil, token: String? = nil, url: String? = nil) {
        self.realm = realm
        self.token = token
        self.url = url
    }
}

package struct AWSXRaySettings: Codable, Sendable, Equatable {
    package var region: String?
    package var accessKeyId: String?
    package var secretAccessKey: String?
    package var sessionToken: String?
    package var useDefaultAuth: Bool?
    /// The X-Ray endpoint instead of `https://xray.<region>.amazonaws.com`.
    package var url: String?

    package init(
        region: String? = nil, accessKeyId: String? = nil, secretAccessKey: String? = nil, sessionToken: String? = nil,
        url: String? = nil
    ) {
        self.region = region
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.url = url
    }
}

package struct AzureAppInsightsSettings: Codable, Sendable, Equatable {
    package var useAzureActiveDirectoryAuth: Bool?
    package var accessToken: String?
    package var resourceArmId: String?
    /// `direct` or `collector`.
    package var connectionType: String?
    /// The Logs query API's base URL instead of `https://api.loganalytics.azure.com`.
    package var url: String?

    package init(
        connectionType: String? = nil, resourceArmId: String? = nil, accessToken: String? = nil, url: String? = nil
    ) {
        self.connectionType = connectionType
        self.resourceArmId = resourceArmId
        self.accessToken = accessToken
        self.url = url
    }
}

package struct SumoLogicSettings: Codable, Sendable, Equatable {
    package var url: String?
    package var accessID: String?
    package var accessKey: String?

    package init(url: String? = nil, accessID: String? = nil, accessKey: String? = nil) {
        self.url = url
        self.accessID = accessID
        self.accessKey = accessKey
    }
}

extension DataStore {
    /// What the API shows in place of a secret it keeps (passwords, tokens, keys).
    package static let maskedSecret = "********"

    /// A secret field: how to read it and how to set it (setting leaves an absent section absent).
    private struct Secret {
        let read: (DataStore) -> String?
        let write: (inout DataStore, String?) -> Void
    }

    private static var secrets: [Secret] {
        [
            Secret(read: { $0.opensearch?.password }, write: { $0.opensearch?.password = $1 }),
            Secret(read: { $0.elasticapm?.password }, write: { $0.elasticapm?.password = $1 }),
            Secret(read: { $0.signalfx?.token }, write: { $0.signalfx?.token = $1 }),
            Secret(read: { $0.awsxray?.secretAccessKey }, write: { $0.awsxray?.secretAccessKey = $1 }),
            Secret(read: { $0.awsxray?.sessionToken }, write: { $0.awsxray?.sessionToken = $1 }),
            Secret(read: { $0.azureappinsights?.accessToken }, write: { $0.azureappinsights?.accessToken = $1 }),
            Secret(read: { $0.sumologic?.accessKey }, write: { $0.sumologic?.accessKey = $1 }),
        ]
    }

    /// The store with every secret that is set shown as ``maskedSecret``.
    package var maskingSecrets: DataStore {
        var masked = self
        for secret in Self.secrets where !(secret.read(self) ?? "").isEmpty {
            secret.write(&masked, Self.maskedSecret)
        }
        return masked
    }

    /// Whether a secret is ``maskedSecret``, so that saving the store needs the stored one's secrets.
    package var hasMaskedSecrets: Bool {
        Self.secrets.contains { $0.read(self) == Self.maskedSecret }
    }

    /// The store with every secret sent back as ``maskedSecret`` taken from `stored` (a client saving what it
    /// read keeps the secrets it was not shown).
    package func keepingSecrets(of stored: DataStore) -> DataStore {
        var kept = self
        for secret in Self.secrets where secret.read(self) == Self.maskedSecret {
            secret.write(&kept, secret.read(stored))
        }
        return kept
    }
}
