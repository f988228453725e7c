/// What executing the trigger produced: the response of an HTTP request, the id of a trace, or an error.
public struct TriggerResult: Codable, Sendable, Equatable {
    public var type: String
    public var http: HTTPResponse?
    public var traceID: String?
    public var error: TriggerError?

    public init(type: String, http: HTTPResponse? = nil, traceID: String? = nil, error: TriggerError? = nil) {
        self.type = type
        self.http = http
        self.traceID = traceID
        self.error = error
    }

    public struct HTTPResponse: Codable, Sendable, Equatable {
        /// `200 OK`.
        public var status: String
        public var statusCode: Int
        public var headers: [KeyValue]
        public var body: String

        public init(status: String, statusCode: Int, headers: [KeyValue], body: String) {
            self.status = status
            self.statusCode = statusCode
            self.headers = headers
            self.body = body
        }
    }

    /// Why a trigger failed, classified as Tracetest does for its hints.
    public struct TriggerError: Codable, Sendable, Equatable {
        public var connectionError: Bool
        public var runningOnContainer: Bool
        public var targetsLocalhost: Bool
        public var message: String

        public init(connectionError: Bool, runningOnContainer: Bool, targetsLocalhost: Bool, message: String) {
            self.connectionError = connectionError
            self.runningOnContainer = runningOnContainer
            self.targetsLocalhost = targetsLocalhost
            self.message = message
        }
    }

    enum CodingKeys: String, CodingKey { case type, triggerResult }
    enum ResultKeys: String, CodingKey { case http, grpc, traceid, kafka, playwrightEngine, graphql, error }
    enum TraceIDKeys: String, CodingKey { case id }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        var result = c.nestedContainer(keyedBy: ResultKeys.self, forKey: .triggerResult)
        if let http { try result.encode(http, forKey: .http) } else { try result.encode(Self.empty, forKey: .http) }
        try result.encode(Self.empty, forKey: .grpc)
        var traceid = result.nestedContainer(keyedBy: TraceIDKeys.self, forKey: .traceid)
        if let traceID { try traceid.encode(traceID, forKey: .id) }
        try result.encode(Self.empty, forKey: .kafka)
        try result.encode(Self.empty, forKey: .playwrightEngine)
        try result.encode(Self.empty, forKey: .graphql)
        if let error { try result.encode(error, forKey: .error) } else { try result.encode(Self.empty, forKey: .error) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: "")
        let result = try c.nestedContainer(keyedBy: ResultKeys.self, forKey: .triggerResult)
        http = try? result.decodeIfPresent(HTTPResponse.self, forKey: .http)
        traceID = try? result.nestedContainer(keyedBy: TraceIDKeys.self, forKey: .traceid).decodeIfPresent(
            String.self, forKey: .id)
        error = try? result.decodeIfPresent(TriggerError.self, forKey: .error)
    }

    private static let empty = WireValue.object([:])
}

/// The results of a run's specs, one entry per spec in spec order.
public struct AssertionResults: Codable, Sendable, Equatable {
    public var allPassed: Bool
    public var results: [SpecResult]

    public init(results: [SpecResult]) {
        self.results = results
        self.allPassed = results.allSatisfy(\.allPassed)
    }

    /// How many span-level results passed (or failed).
    public func spanResultCount(passed: Bool) -> Int {
        results.reduce(0) { total, spec in
            total + spec.results.reduce(0) { $0 + $1.spanResults.filter { $0.passed == passed }.count }
        }
    }

    enum CodingKeys: String, CodingKey { case allPassed, results }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        results = try c.decode([SpecResult].self, forKey: .results)
        allPassed = try c.value(.allPassed, or: results.allSatisfy(\.allPassed))
    }

    public struct SpecResult: Codable, Sendable, Equatable {
        /// `{query, structure}`: the selector text and its parsed form.
        public var selector: WireValue
        public var results: [Assertion]

        public init(selector: WireValue, results: [Assertion]) {
            self.selector = selector
            self.results = results
        }

        public var allPassed: Bool { results.allSatisfy(\.allPassed) }
    }

    public struct Assertion: Codable, Sendable, Equatable {
        public var assertion: String
        public var allPassed: Bool
        public var spanResults: [SpanResult]

        public init(assertion: String, spanResults: [SpanResult]) {
            self.assertion = assertion
            self.spanResults = spanResults
            self.allPassed = spanResults.allSatisfy(\.passed)
        }
    }

    public struct SpanResult: Codable, Sendable, Equatable {
        /// Nil when the selector matched no span.
        public var spanID: String?
        public var observedValue: String
        public var passed: Bool
        public var error: String?

        public init(spanID: String?, observedValue: String, passed: Bool, error: String? = nil) {
            self.spanID = spanID
            self.observedValue = observedValue
            self.passed = passed
            self.error = error
        }

        enum CodingKeys: String, CodingKey { case spanID = "spanId", observedValue, passed, error }
    }
}
