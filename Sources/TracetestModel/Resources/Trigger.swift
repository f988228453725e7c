/// What a test run fires: an HTTP request, a gRPC call, a Kafka message, or a known trace id.
///
/// Only the sub-object matching `type` is meaningful; the others are kept if sent, as Tracetest does.
public struct Trigger: Codable, Sendable, Equatable {
    public var type: String
    public var httpRequest: HTTPRequest?
    public var grpc: GRPCRequest?
    public var traceid: TraceIDRequest?
    public var kafka: KafkaRequest?
    public var playwrightEngine: PlaywrightEngineRequest?
    public var graphql: GraphQLRequest?

    public init(
        type: String = "",
        httpRequest: HTTPRequest? = nil,
        grpc: GRPCRequest? = nil,
        traceid: TraceIDRequest? = nil,
        kafka: KafkaRequest? = nil,
        playwrightEngine: PlaywrightEngineRequest? = nil,
        graphql: GraphQLRequest? = nil
    ) {
        self.type = type
        self.httpRequest = httpRequest
        self.grpc = grpc
        self.traceid = traceid
        self.kafka = kafka
        self.playwrightEngine = playwrightEngine
        self.graphql = graphql
    }

    enum CodingKeys: String, CodingKey {
        case type, httpRequest, grpc, traceid, kafka, playwrightEngine, graphql
        // Earlier shapes: v1 used Go field names, v2 `triggerType` with `http`.
        case v1Type = "Type", v1HTTP = "HTTP", v1GRPC = "GRPC", v1TraceID = "TraceID"
        case v2Type = "triggerType", v2HTTP = "http"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.type) || c.contains(.httpRequest) {
            type = try c.value(.type, or: "")
            httpRequest = try c.decodeIfPresent(HTTPRequest.self, forKey: .httpRequest)
            grpc = try c.decodeIfPresent(GRPCRequest.self, forKey: .grpc)
            traceid = try c.decodeIfPresent(TraceIDRequest.self, forKey: .traceid)
        } else if c.contains(.v2Type) {
            type = try c.value(.v2Type, or: "")
            httpRequest = try c.decodeIfPresent(HTTPRequest.self, forKey: .v2HTTP)
            grpc = try c.decodeIfPresent(GRPCRequest.self, forKey: .grpc)
            traceid = try c.decodeIfPresent(TraceIDRequest.self, forKey: .traceid)
        } else if c.contains(.v1Type) {
            type = try c.value(.v1Type, or: "")
            httpRequest = try c.decodeIfPresent(HTTPRequest.self, forKey: .v1HTTP)
            grpc = try c.decodeIfPresent(GRPCRequest.self, forKey: .v1GRPC)
            traceid = try c.decodeIfPresent(TraceIDRequest.self, forKey: .v1TraceID)
        } else {
            type = ""
        }
        kafka = try c.decodeIfPresent(KafkaRequest.self, forKey: .kafka)
        playwrightEngine = try c.decodeIfPresent(PlaywrightEngineRequest.self, forKey: .playwrightEngine)
        graphql = try c.decodeIfPresent(GraphQLRequest.self, forKey: .graphql)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(httpRequest, forKey: .httpRequest)
        try c.encodeIfPresent(grpc, forKey: .grpc)
        try c.encodeIfPresent(traceid, forKey: .traceid)
        try c.encodeIfPresent(kafka, forKey: .kafka)
        try c.encodeIfPresent(playwrightEngine, forKey: .playwrightEngine)
        try c.encodeIfPresent(graphql, forKey: .graphql)
    }
}

/// A `{key, value}` pair: HTTP headers, gRPC metadata, Kafka headers.
public struct KeyValue: Codable, Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case key, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.value(.key, or: "")
        value = try c.value(.value, or: "")
    }
}

public struct HTTPRequest: Codable, Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [KeyValue]
    public var body: String
    public var auth: Authentication?
    public var sslVerification: Bool

    public init(
        method: String = "",
        url: String = "",
        headers: [KeyValue] = [],
        body: String = "",
        auth: Authentication? = nil,
        sslVerification: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.auth = auth
        self.sslVerification = sslVerification
    }

    enum CodingKeys: String, CodingKey { case method, url, headers, body, auth, sslVerification }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.value(.method, or: "")
        url = try c.value(.url, or: "")
        headers = try c.value(.headers, or: [])
        body = try c.value(.body, or: "")
        auth = try c.decodeIfPresent(Authentication.self, forKey: .auth).flatMap { $0.type.isEmpty ? nil : $0 }
        sslVerification = try c.value(.sslVerification, or: false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, omittingEmptyForKey: .method)
        try c.encode(url, forKey: .url)
        try c.encode(headers, omittingEmptyForKey: .headers)
        try c.encode(body, omittingEmptyForKey: .body)
        try c.encodeIfPresent(auth, forKey: .auth)
        try c.encode(sslVerification, omittingEmptyForKey: .sslVerification)
    }
}

/// Credentials for HTTP, gRPC and GraphQL triggers; only the object matching `type` is kept.
public struct Authentication: Codable, Sendable, Equatable {
    public var type: String
    public var apiKey: APIKey?
    public var basic: Basic?
    public var bearer: Bearer?

    public struct APIKey: Codable, Sendable, Equatable {
        public var key: String?
        public var value: String?
        /// `header` or `query`.
        public var `in`: String?

        public init(key: String? = nil, value: String? = nil, in location: String? = nil) {
            self.key = key
            self.value = value
            self.in = location
        }
    }

    public struct Basic: Codable, Sendable, Equatable {
        public var username: String?
        public var password: String?

        public init(username: String? = nil, password: String? = nil) {
            self.username = username
            self.password = password
        }
    }

    public struct Bearer: Codable, Sendable, Equatable {
        public var token: String?

        public init(token: String? = nil) { self.token = token }
    }

    public init(type: String, apiKey: APIKey? = nil, basic: Basic? = nil, bearer: Bearer? = nil) {
        self.type = type
        self.apiKey = apiKey
        self.basic = basic
        self.bearer = bearer
    }

    enum CodingKeys: String, CodingKey { case type, apiKey, basic, bearer }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: "")
        apiKey = type == "apiKey" ? try c.decodeIfPresent(APIKey.self, forKey: .apiKey) : nil
        basic = type == "basic" ? try c.decodeIfPresent(Basic.self, forKey: .basic) : nil
        bearer = type == "bearer" ? try c.decodeIfPresent(Bearer.self, forKey: .bearer) : nil
    }
}

public struct GRPCRequest: Codable, Sendable, Equatable {
    /// The content of the `.proto` file (the CLI inlines file paths before sending).
    public var protobufFile: String?
    public var address: String?
    public var service: String?
    public var method: String?
    /// The request message as JSON text.
    public var request: String?
    public var metadata: [KeyValue]?
    public var auth: Authentication?

    public init(
        protobufFile: String? = nil,
        address: String? = nil,
        service: String? = nil,
        method: String? = nil,
        request: String? = nil,
        metadata: [KeyValue]? = nil,
        auth: Authentication? = nil
    ) {
        self.protobufFile = protobufFile
        self.address = address
        self.service = service
        self.method = method
        self.request = request
        self.metadata = metadata
        self.auth = auth
    }
}

public struct TraceIDRequest: Codable, Sendable, Equatable {
    /// A 32-hex-digit trace id, or an expression such as `${var:TRACE_ID}`.
    public var id: String

    public init(id: String = "") { self.id = id }

    enum CodingKeys: String, CodingKey { case id }

    public init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).value(.id, or: "")
    }
}

/// A Kafka message; authentication travels under the misspelt key `authetication`, as Tracetest writes it.
public struct KafkaRequest: Codable, Sendable, Equatable {
    public var brokerUrls: [String]
    public var topic: String
    public var headers: [KeyValue]
    public var authentication: KafkaAuthentication?
    public var messageKey: String
    public var messageValue: String
    public var sslVerification: Bool

    public init(
        brokerUrls: [String] = [],
        topic: String = "",
        headers: [KeyValue] = [],
        authentication: KafkaAuthentication? = nil,
        messageKey: String = "",
        messageValue: String = "",
        sslVerification: Bool = false
    ) {
        self.brokerUrls = brokerUrls
        self.topic = topic
        self.headers = headers
        self.authentication = authentication
        self.messageKey = messageKey
        self.messageValue = messageValue
        self.sslVerification = sslVerification
    }

    enum CodingKeys: String, CodingKey {
        case brokerUrls, topic, headers, authetication, authentication, messageKey, messageValue, sslVerification
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        brokerUrls = try c.value(.brokerUrls, or: [])
        topic = try c.value(.topic, or: "")
        headers = try c.value(.headers, or: [])
        authentication =
            try c.decodeIfPresent(KafkaAuthentication.self, forKey: .authetication)
            ?? c.decodeIfPresent(KafkaAuthentication.self, forKey: .authentication)
        messageKey = try c.value(.messageKey, or: "")
        messageValue = try c.value(.messageValue, or: "")
        sslVerification = try c.value(.sslVerification, or: false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(brokerUrls, forKey: .brokerUrls)
        try c.encode(topic, forKey: .topic)
        try c.encode(headers, forKey: .headers)
        try c.encodeIfPresent(authentication, forKey: .authetication)
        try c.encode(messageKey, forKey: .messageKey)
        try c.encode(messageValue, forKey: .messageValue)
        try c.encode(sslVerification, omittingEmptyForKey: .sslVerification)
    }
}

public struct KafkaAuthentication: Codable, Sendable, Equatable {
    public var type: String?
    public var plain: Plain?

    public struct Plain: Codable, Sendable, Equatable {
        public var username: String?
        public var password: String?

        public init(username: String? = nil, password: String? = nil) {
            self.username = username
            self.password = password
        }
    }

    public init(type: String? = nil, plain: Plain? = nil) {
        self.type = type
        self.plain = plain
    }
}

public struct PlaywrightEngineRequest: Codable, Sendable, Equatable {
    public var target: String?
    /// The script's source text.
    public var script: String?
    /// The exported function to call.
    public var method: String?

    public init(target: String? = nil, script: String? = nil, method: String? = nil) {
        self.target = target
        self.script = script
        self.method = method
    }
}

public struct GraphQLRequest: Codable, Sendable, Equatable {
    public var url: String?
    public var headers: [KeyValue]?
    public var auth: Authentication?
    public var sslVerification: Bool?
    public var body: Body?
    public var schema: String?

    public struct Body: Codable, Sendable, Equatable {
        public var query: String
        public var variables: [String: String]
        public var operationName: String

        public init(query: String = "", variables: [String: String] = [:], operationName: String = "") {
            self.query = query
            self.variables = variables
            self.operationName = operationName
        }

        enum CodingKeys: String, CodingKey { case query, variables, operationName }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            query = try c.value(.query, or: "")
            variables = try c.value(.variables, or: [:])
            operationName = try c.value(.operationName, or: "")
        }
    }

    public init(
        url: String? = nil,
        headers: [KeyValue]? = nil,
        auth: Authentication? = nil,
        sslVerification: Bool? = nil,
        schema: String? = nil,
        body: Body? = nil
    ) {
        self.url = url
        self.headers = headers
        self.auth = auth
        self.sslVerification = sslVerification
        self.schema = schema
        self.body = body
    }
}
