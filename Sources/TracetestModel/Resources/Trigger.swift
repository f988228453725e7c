import OrderedCollections

/// What a test run fires: an HTTP request, a gRPC call, a Kafka message, or a known trace id.
///
/// Only the sub-object matching `type` is meaningful; the others are kept if sent, as Tracetest does.
package struct Trigger: Codable, Sendable, Equatable {
    /// Test tools whose runs report a trace id, run like a `traceid` trigger.
    package static let traceIDIntegrations: Set<String> = ["cypress", "playwright", "artillery", "k6"]
    /// Every trigger `type` Tracetest knows.
    package static let types: [String] =
        ["http", "grpc", "traceid", "kafka", "graphql", "playwrightengine"] + traceIDIntegrations.sorted()

    package var type: String
    package var httpRequest: HTTPRequest?
    package var grpc: GRPCRequest?
    package var traceid: TraceIDRequest?
    package var kafka: KafkaRequest?
    package var playwrightEngine: PlaywrightEngineRequest?
    package var graphql: GraphQLRequest?

    package init(
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

    /// Why the trigger cannot be fired as written, as `<field>: <reason>`, or nil. Text with a `${…}` expression is
    /// checked once it is resolved.
    package var problem: String? {
        switch type {
        case "http":
            return httpRequest?.problem.map { "httpRequest: \($0)" }
        case "grpc":
            let address = grpc?.address ?? ""
            let method = grpc?.method ?? ""
            if address.isEmpty { return "grpc.address: missing: give the server as host:port" }
            if !address.contains("${"), let reason = Self.hostPortProblem(address) {
                return "grpc.address: \"\(address)\" \(reason)"
            }
            if method.isEmpty { return "grpc.method: missing: give it as package.Service.Method" }
            if !method.contains("${"), GRPCRequest.methodParts(method) == nil {
                return "grpc.method: \"\(method)\" is not written as package.Service.Method"
            }
            return nil
        case "kafka":
            let kafka = kafka ?? KafkaRequest()
            if kafka.brokerUrls.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                return "kafka.brokerUrls: missing: give at least one broker as host:port"
            }
            for (index, broker) in kafka.brokerUrls.enumerated() where !broker.contains("${") {
                if let reason = Self.hostPortProblem(broker) {
                    return "kafka.brokerUrls[\(index)]: \"\(broker)\" \(reason)"
                }
            }
            if kafka.topic.isEmpty { return "kafka.topic: missing: give the topic to send the message to" }
            return nil
        case "graphql":
            let url = graphql?.url ?? ""
            if url.isEmpty { return "graphql.url: missing: give the GraphQL endpoint's URL" }
            if (graphql?.body?.query ?? "").isEmpty { return "graphql.body.query: missing: give the query to send" }
            return HTTPRequest.urlProblem(url).map { "graphql: \($0)" }
        default:
            return nil
        }
    }

    /// Why `text` is not `host:port` with a port from 1 to 65535.
    static func hostPortProblem(_ text: String) -> String? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
        else { return "is not host:port (for example localhost:8080)" }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case type, httpRequest, grpc, traceid, kafka, playwrightEngine, graphql
        // Earlier shapes: v1 used Go field names, v2 `triggerType` with `http`.
        case v1Type = "Type", v1HTTP = "HTTP", v1GRPC = "GRPC", v1TraceID = "TraceID"
        case v2Type = "triggerType", v2HTTP = "http"
    }

    package init(from decoder: any Decoder) throws {
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

    package func encode(to encoder: any Encoder) throws {
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
package struct KeyValue: Codable, Sendable, Equatable {
    package var key: String
    package var value: String

    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case key, value }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.value(.key, or: "")
        value = try c.value(.value, or: "")
    }
}

package struct HTTPRequest: Codable, Sendable, Equatable {
    package var method: String
    package var url: String
    package var headers: [KeyValue]
    package var body: String
    package var auth: Authentication?
    package var sslVerification: Bool

    package init(
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

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.value(.method, or: "")
        url = try c.value(.url, or: "")
        headers = try c.value(.headers, or: [])
        body = try c.value(.body, or: "")
        auth = try c.decodeIfPresent(Authentication.self, forKey: .auth).flatMap { $0.type.isEmpty ? nil : $0 }
        sslVerification = try c.value(.sslVerification, or: false)
    }

    /// Why the request cannot be sent as written, or nil: a method that is not an HTTP token (it would be written
    /// into the request line as it is), a URL whose scheme is not `http` or `https` (a Unix socket, say). Text with a
    /// `${…}` expression is checked once it is resolved.
    package var problem: String? {
        if !method.contains("${"), !method.isEmpty, !method.unicodeScalars.allSatisfy(Self.isTokenCharacter) {
            return "method \"\(method)\" is not an HTTP method (letters, digits and !#$%&'*+-.^_`|~ only)"
        }
        return Self.urlProblem(url)
    }

    /// Why `url` cannot be requested: a scheme other than `http` or `https`.
    static func urlProblem(_ url: String) -> String? {
        let target = url.trimmingCharacters(in: .whitespaces)
        if !target.hasPrefix("${"), let colon = target.range(of: "://") {
            let scheme = target[..<colon.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                return "url \"\(url)\" is not an http or https URL"
            }
        }
        return nil
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
    }

    package func encode(to encoder: any Encoder) throws {
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
package struct Authentication: Codable, Sendable, Equatable {
    package var type: String
    package var apiKey: APIKey?
    package var basic: Basic?
    package var bearer: Bearer?

    package struct APIKey: Codable, Sendable, Equatable {
        package var key: String?
        package var value: String?
        /// `header` or `query`.
        package var `in`: String?

        package init(key: String? = nil, value: String? = nil, in location: String? = nil) {
            self.key = key
            self.value = value
            self.in = location
        }
    }

    package struct Basic: Codable, Sendable, Equatable {
        package var username: String?
        package var password: String?

        package init(username: String? = nil, password: String? = nil) {
            self.username = username
            self.password = password
        }
    }

    package struct Bearer: Codable, Sendable, Equatable {
        package var token: String?

        package init(token: String? = nil) { self.token = token }
    }

    package init(type: String, apiKey: APIKey? = nil, basic: Basic? = nil, bearer: Bearer? = nil) {
        self.type = type
        self.apiKey = apiKey
        self.basic = basic
        self.bearer = bearer
    }

    enum CodingKeys: String, CodingKey { case type, apiKey, basic, bearer }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: "")
        apiKey = type == "apiKey" ? try c.decodeIfPresent(APIKey.self, forKey: .apiKey) : nil
        basic = type == "basic" ? try c.decodeIfPresent(Basic.self, forKey: .basic) : nil
        bearer = type == "bearer" ? try c.decodeIfPresent(Bearer.self, forKey: .bearer) : nil
    }
}

package struct GRPCRequest: Codable, Sendable, Equatable {
    /// `package.Service.Method`, `package.Service/Method` (either with a leading `/`) as the service's full name and
    /// the method, or nil when it is not written so.
    package static func methodParts(_ method: String) -> (service: String, method: String)? {
        var text = method.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("/") { text.removeFirst() }
        guard let separator = text.lastIndex(where: { $0 == "/" || $0 == "." }) else { return nil }
        let service = String(text[..<separator])
        let name = String(text[text.index(after: separator)...])
        guard !service.isEmpty, !name.isEmpty, !service.hasSuffix("."), !service.hasPrefix(".") else { return nil }
        return (service, name)
    }

    /// The content of the `.proto` file (the CLI inlines file paths before sending).
    package var protobufFile: String?
    package var address: String?
    package var service: String?
    package var method: String?
    /// The request message as JSON text.
    package var request: String?
    package var metadata: [KeyValue]?
    package var auth: Authentication?

    package init(
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

package struct TraceIDRequest: Codable, Sendable, Equatable {
    /// A 32-hex-digit trace id, or an expression such as `${var:TRACE_ID}`.
    package var id: String

    package init(id: String = "") { self.id = id }

    enum CodingKeys: String, CodingKey { case id }

    package init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).value(.id, or: "")
    }
}

/// A Kafka message; authentication travels under the misspelt key `authetication`, as Tracetest writes it.
package struct KafkaRequest: Codable, Sendable, Equatable {
    package var brokerUrls: [String]
    package var topic: String
    package var headers: [KeyValue]
    package var authentication: KafkaAuthentication?
    package var messageKey: String
    package var messageValue: String
    package var sslVerification: Bool

    package init(
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

    package init(from decoder: any Decoder) throws {
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

    package func encode(to encoder: any Encoder) throws {
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

package struct KafkaAuthentication: Codable, Sendable, Equatable {
    package var type: String?
    package var plain: Plain?

    package struct Plain: Codable, Sendable, Equatable {
        package var username: String?
        package var password: String?

        package init(username: String? = nil, password: String? = nil) {
            self.username = username
            self.password = password
        }
    }

    package init(type: String? = nil, plain: Plain? = nil) {
        self.type = type
        self.plain = plain
    }
}

package struct PlaywrightEngineRequest: Codable, Sendable, Equatable {
    package var target: String?
    /// The script's source text.
    package var script: String?
    /// The exported function to call.
    package var method: String?

    package init(target: String? = nil, script: String? = nil, method: String? = nil) {
        self.target = target
        self.script = script
        self.method = method
    }
}

package struct GraphQLRequest: Codable, Sendable, Equatable {
    package var url: String?
    package var headers: [KeyValue]?
    package var auth: Authentication?
    package var sslVerification: Bool?
    package var body: Body?
    package var schema: String?

    package struct Body: Codable, Sendable, Equatable {
        package var query: String
        /// Any JSON values, sent as they are written (a number stays a number); text may hold `${…}` expressions.
        package var variables: OrderedDictionary<String, WireValue>
        package var operationName: String

        package init(
            query: String = "", variables: OrderedDictionary<String, WireValue> = [:], operationName: String = ""
        ) {
            self.query = query
            self.variables = variables
            self.operationName = operationName
        }

        enum CodingKeys: String, CodingKey { case query, variables, operationName }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            query = try c.value(.query, or: "")
            if case .object(let fields) = try c.decodeIfPresent(WireValue.self, forKey: .variables) {
                variables = fields
            } else {
                variables = [:]
            }
            operationName = try c.value(.operationName, or: "")
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(query, forKey: .query)
            try c.encode(WireValue.object(variables), forKey: .variables)
            try c.encode(operationName, forKey: .operationName)
        }
    }

    package init(
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
