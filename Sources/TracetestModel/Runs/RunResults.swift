/// What executing the trigger produced: the response of an HTTP, gRPC or GraphQL request, where a Kafka message
/// went, the id of a trace, or an error.
package struct TriggerResult: Codable, Sendable, Equatable {
    package var type: String
    package var http: HTTPResponse?
    package var grpc: GRPCResponse?
    package var kafka: KafkaResponse?
    /// A GraphQL response, in the HTTP response's shape.
    package var graphql: HTTPResponse?
    package var traceID: String?
    package var error: TriggerError?

    package init(
        type: String, http: HTTPResponse? = nil, grpc: GRPCResponse? = nil, kafka: KafkaResponse? = nil,
        graphql: HTTPResponse? = nil, traceID: String? = nil, error: TriggerError? = nil
    ) {
        self.type = type
        self.http = http
        self.grpc = grpc
        self.kafka = kafka
        self.graphql = graphql
        self.traceID = traceID
        self.error = error
    }

    /// A gRPC call's status code (0 for OK), response metadata and the response message as JSON.
    package struct GRPCResponse: Codable, Sendable, Equatable {
        package var statusCode: Int
        package var metadata: [KeyValue]
        package var body: String

        package init(statusCode: Int, metadata: [KeyValue], body: String) {
            self.statusCode = statusCode
            self.metadata = metadata
            self.body = body
        }
    }

    /// Where a Kafka message was stored, as text (upstream's shape).
    package struct KafkaResponse: Codable, Sendable, Equatable {
        package var partition: String
        package var offset: String

        package init(partition: String, offset: String) {
            self.partition = partition
            self.offset = offset
        }
    }

    package struct HTTPResponse: Codable, Sendable, Equatable {
        /// `200 OK`.
        package var status: String
        package var statusCode: Int
        package var headers: [KeyValue]
        package var body: String

        package init(status: String, statusCode: Int, headers: [KeyValue], body: String) {
            self.status = status
            self.statusCode = statusCode
            self.headers = headers
            self.body = body
        }
    }

    /// Why a trigger failed, classified as Tracetest does for its hints.
    package struct TriggerError: Codable, Sendable, Equatable {
        package var connectionError: Bool
        package var runningOnContainer: Bool
        package var targetsLocalhost: Bool
        package var message: String

        package init(connectionError: Bool, runningOnContainer: Bool, targetsLocalhost: Bool, message: String) {
            self.connectionError = connectionError
            self.runningOnContainer = runningOnContainer
            self.targetsLocalhost = targetsLocalhost
            self.message = message
        }
    }

    enum CodingKeys: String, CodingKey { case type, triggerResult }
    enum ResultKeys: String, CodingKey { case http, grpc, traceid, kafka, playwrightEngine, graphql, error }
    enum TraceIDKeys: String, CodingKey { case id }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        var result = c.nestedContainer(keyedBy: ResultKeys.self, forKey: .triggerResult)
        if let http { try result.encode(http, forKey: .http) } else { try result.encode(Self.empty, forKey: .http) }
        if let grpc { try result.encode(grpc, forKey: .grpc) } else { try result.encode(Self.empty, forKey: .grpc) }
        var traceid = result.nestedContainer(keyedBy: TraceIDKeys.self, forKey: .traceid)
        if let traceID { try traceid.encode(traceID, forKey: .id) }
        if let kafka { try result.encode(kafka, forKey: .kafka) } else { try result.encode(Self.empty, forKey: .kafka) }
        try result.encode(Self.empty, forKey: .playwrightEngine)
        if let graphql {
            try result.encode(graphql, forKey: .graphql)
        } else {
            try result.encode(Self.empty, forKey: .graphql)
        }
        if let error { try result.encode(error, forKey: .error) } else { try result.encode(Self.empty, forKey: .error) }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.value(.type, or: "")
        let result = try c.nestedContainer(keyedBy: ResultKeys.self, forKey: .triggerResult)
        http = try? result.decodeIfPresent(HTTPResponse.self, forKey: .http)
        grpc = try? result.decodeIfPresent(GRPCResponse.self, forKey: .grpc)
        kafka = try? result.decodeIfPresent(KafkaResponse.self, forKey: .kafka)
        graphql = try? result.decodeIfPresent(HTTPResponse.self, forKey: .graphql)
        traceID = try? result.nestedContainer(keyedBy: TraceIDKeys.self, forKey: .traceid).decodeIfPresent(
            String.self, forKey: .id)
        error = try? result.decodeIfPresent(TriggerError.self, forKey: .error)
    }

    private static let empty = WireValue.object([:])
}

/// The results of a run's specs, one entry per spec in spec order.
package struct AssertionResults: Codable, Sendable, Equatable {
    package var allPassed: Bool
    package var results: [SpecResult]

    package init(results: [SpecResult]) {
        self.results = results
        self.allPassed = results.allSatisfy(\.allPassed)
    }

    /// How many span-level results passed (or failed).
    package func spanResultCount(passed: Bool) -> Int {
        results.reduce(0) { total, spec in
            total + spec.results.reduce(0) { $0 + $1.spanResults.filter { $0.passed == passed }.count }
        }
    }

    enum CodingKeys: String, CodingKey { case allPassed, results }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        results = try c.decode([SpecResult].self, forKey: .results)
        allPassed = try c.value(.allPassed, or: results.allSatisfy(\.allPassed))
    }

    package struct SpecResult: Codable, Sendable, Equatable {
        /// `{query, structure}`: the selector text and its parsed form.
        package var selector: WireValue
        package var results: [Assertion]

        package init(selector: WireValue, results: [Assertion]) {
            self.selector = selector
            self.results = results
        }

        package var allPassed: Bool { results.allSatisfy(\.allPassed) }
    }

    package struct Assertion: Codable, Sendable, Equatable {
        package var assertion: String
        package var allPassed: Bool
        package var spanResults: [SpanResult]

        package init(assertion: String, spanResults: [SpanResult]) {
            self.assertion = assertion
            self.spanResults = spanResults
            self.allPassed = spanResults.allSatisfy(\.passed)
        }
    }

    package struct SpanResult: Codable, Sendable, Equatable {
        /// Nil when the selector matched no span.
        package var spanID: String?
        package var observedValue: String
        package var passed: Bool
        package var error: String?

        package init(spanID: String?, observedValue: String, passed: Bool, error: String? = nil) {
            self.spanID = spanID
            self.observedValue = observedValue
            self.passed = passed
            self.error = error
        }

        enum CodingKeys: String, CodingKey { case spanID = "spanId", observedValue, passed, error }
    }
}

extension AssertionResults {
    /// The results as compact JSON: the same text as `WireEncoder().encode(self).jsonText`, written straight into
    /// bytes (a run of 100k spans has hundreds of thousands of span results).
    package var jsonText: String {
        var writer = JSONBytes()
        writer.raw(#"{"allPassed":"#)
        writer.bool(allPassed)
        writer.raw(#","results":["#)
        for (specIndex, spec) in results.enumerated() {
            if specIndex > 0 { writer.raw(",") }
            writer.raw(#"{"selector":"#)
            writer.verbatim(spec.selector.jsonText)
            writer.raw(#","results":["#)
            for (assertionIndex, assertion) in spec.results.enumerated() {
                if assertionIndex > 0 { writer.raw(",") }
                writer.raw(#"{"assertion":"#)
                writer.string(assertion.assertion)
                writer.raw(#","allPassed":"#)
                writer.bool(assertion.allPassed)
                writer.raw(#","spanResults":["#)
                for (resultIndex, result) in assertion.spanResults.enumerated() {
                    writer.raw(resultIndex > 0 ? ",{" : "{")
                    if let spanID = result.spanID {
                        writer.raw(#""spanId":"#)
                        writer.string(spanID)
                        writer.raw(",")
                    }
                    writer.raw(#""observedValue":"#)
                    writer.string(result.observedValue)
                    writer.raw(#","passed":"#)
                    writer.bool(result.passed)
                    if let error = result.error {
                        writer.raw(#","error":"#)
                        writer.string(error)
                    }
                    writer.raw("}")
                }
                writer.raw("]}")
            }
            writer.raw("]}")
        }
        writer.raw("]}")
        return writer.text
    }
}
