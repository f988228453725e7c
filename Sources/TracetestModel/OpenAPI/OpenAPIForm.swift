import OrderedCollections

/// The "OpenAPI" shape of tests, as the non-resource routes write them (test versions, definitions, exports, run
/// triggers): every trigger sub-object present (empty when unused), auth expanded to all three kinds, specs and
/// outputs with `selectorParsed`, `createdAt` and `version` always present.
package enum OpenAPIForm {
    package static func test(_ test: Test) -> WireValue {
        var fields: OrderedDictionary<String, WireValue> = [:]
        fields["id"] = .string(test.id)
        fields["name"] = .string(test.name)
        put(test.description, as: "description", in: &fields)
        fields["version"] = .integer(Int64(test.version ?? 1))
        fields["createdAt"] = .string((test.createdAt ?? .zero).rfc3339)
        fields["trigger"] = trigger(test.trigger)
        fields["specs"] = .array(test.specs.map(spec))
        if !test.outputs.isEmpty { fields["outputs"] = .array(test.outputs.map(output)) }
        if let summary = test.summary { fields["summary"] = self.summary(summary) }
        if test.skipTraceCollection { fields["skipTraceCollection"] = true }
        return .object(fields)
    }

    package static func spec(_ spec: TestSpec) -> WireValue {
        var fields: OrderedDictionary<String, WireValue> = [:]
        put(spec.name, as: "name", in: &fields)
        fields["selector"] = .string(spec.selector)
        fields["selectorParsed"] = .object(["query": .string(spec.selector)])
        fields["assertions"] = .array(spec.assertions.map(WireValue.string))
        return .object(fields)
    }

    package static func output(_ output: TestOutput) -> WireValue {
        .object([
            "name": .string(output.name),
            "selector": .string(output.selector),
            "selectorParsed": .object(["query": .string(output.selector)]),
            "value": .string(output.value),
        ])
    }

    package static func summary(_ summary: Summary) -> WireValue {
        var lastRun: OrderedDictionary<String, WireValue> = [:]
        if !summary.lastRun.time.isZero { lastRun["time"] = .string(summary.lastRun.time.rfc3339) }
        if summary.lastRun.passes != 0 { lastRun["passes"] = .integer(Int64(summary.lastRun.passes)) }
        if summary.lastRun.fails != 0 { lastRun["fails"] = .integer(Int64(summary.lastRun.fails)) }
        if summary.lastRun.analyzerScore != 0 {
            lastRun["analyzerScore"] = .integer(Int64(summary.lastRun.analyzerScore))
        }
        return .object(["runs": .integer(Int64(summary.runs)), "lastRun": .object(lastRun)])
    }

    package static func trigger(_ trigger: Trigger) -> WireValue {
        let http = trigger.httpRequest ?? HTTPRequest()
        var httpFields: OrderedDictionary<String, WireValue> = [:]
        put(http.url, as: "url", in: &httpFields)
        put(http.method, as: "method", in: &httpFields)
        if !http.headers.isEmpty { httpFields["headers"] = keyValues(http.headers) }
        put(http.body, as: "body", in: &httpFields)
        httpFields["auth"] = auth(http.auth)
        if http.sslVerification { httpFields["sslVerification"] = true }

        let grpc = trigger.grpc ?? GRPCRequest()
        var grpcFields: OrderedDictionary<String, WireValue> = [:]
        put(grpc.protobufFile, as: "protobufFile", in: &grpcFields)
        put(grpc.address, as: "address", in: &grpcFields)
        put(grpc.service, as: "service", in: &grpcFields)
        put(grpc.method, as: "method", in: &grpcFields)
        put(grpc.request, as: "request", in: &grpcFields)
        if let metadata = grpc.metadata, !metadata.isEmpty { grpcFields["metadata"] = keyValues(metadata) }
        grpcFields["auth"] = auth(grpc.auth)

        var traceIDFields: OrderedDictionary<String, WireValue> = [:]
        put(trigger.traceid?.id, as: "id", in: &traceIDFields)

        let kafka = trigger.kafka ?? KafkaRequest()
        var kafkaFields: OrderedDictionary<String, WireValue> = [:]
        if !kafka.brokerUrls.isEmpty { kafkaFields["brokerUrls"] = .array(kafka.brokerUrls.map(WireValue.string)) }
        put(kafka.topic, as: "topic", in: &kafkaFields)
        if !kafka.headers.isEmpty { kafkaFields["headers"] = keyValues(kafka.headers) }
        var plain: OrderedDictionary<String, WireValue> = [:]
        put(kafka.authentication?.plain?.username, as: "username", in: &plain)
        put(kafka.authentication?.plain?.password, as: "password", in: &plain)
        var authentication: OrderedDictionary<String, WireValue> = [:]
        put(kafka.authentication?.type, as: "type", in: &authentication)
        authentication["plain"] = .object(plain)
        kafkaFields["authentication"] = .object(authentication)
        put(kafka.messageKey, as: "messageKey", in: &kafkaFields)
        put(kafka.messageValue, as: "messageValue", in: &kafkaFields)
        if kafka.sslVerification { kafkaFields["sslVerification"] = true }

        var playwrightFields: OrderedDictionary<String, WireValue> = [:]
        put(trigger.playwrightEngine?.target, as: "target", in: &playwrightFields)
        put(trigger.playwrightEngine?.script, as: "script", in: &playwrightFields)
        put(trigger.playwrightEngine?.method, as: "method", in: &playwrightFields)

        let graphql = trigger.graphql ?? GraphQLRequest()
        var graphqlFields: OrderedDictionary<String, WireValue> = [:]
        put(graphql.url, as: "url", in: &graphqlFields)
        if let headers = graphql.headers, !headers.isEmpty { graphqlFields["headers"] = keyValues(headers) }
        graphqlFields["auth"] = auth(graphql.auth)
        var body: OrderedDictionary<String, WireValue> = [:]
        put(graphql.body?.query, as: "query", in: &body)
        if let variables = graphql.body?.variables, !variables.isEmpty { body["variables"] = .object(variables) }
        put(graphql.body?.operationName, as: "operationName", in: &body)
        graphqlFields["body"] = .object(body)
        put(graphql.schema, as: "schema", in: &graphqlFields)
        if graphql.sslVerification == true { graphqlFields["sslVerification"] = true }

        var fields: OrderedDictionary<String, WireValue> = [:]
        put(trigger.type, as: "type", in: &fields)
        fields["httpRequest"] = .object(httpFields)
        fields["grpc"] = .object(grpcFields)
        fields["traceid"] = .object(traceIDFields)
        fields["kafka"] = .object(kafkaFields)
        fields["playwrightEngine"] = .object(playwrightFields)
        fields["graphql"] = .object(graphqlFields)
        return .object(fields)
    }

    static func auth(_ auth: Authentication?) -> WireValue {
        var fields: OrderedDictionary<String, WireValue> = [:]
        put(auth?.type, as: "type", in: &fields)
        var apiKey: OrderedDictionary<String, WireValue> = [:]
        put(auth?.apiKey?.key, as: "key", in: &apiKey)
        put(auth?.apiKey?.value, as: "value", in: &apiKey)
        put(auth?.apiKey?.in, as: "in", in: &apiKey)
        var basic: OrderedDictionary<String, WireValue> = [:]
        put(auth?.basic?.username, as: "username", in: &basic)
        put(auth?.basic?.password, as: "password", in: &basic)
        var bearer: OrderedDictionary<String, WireValue> = [:]
        put(auth?.bearer?.token, as: "token", in: &bearer)
        fields["apiKey"] = .object(apiKey)
        fields["basic"] = .object(basic)
        fields["bearer"] = .object(bearer)
        return .object(fields)
    }

    static func keyValues(_ pairs: [KeyValue]) -> WireValue {
        .array(pairs.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
    }

    /// Adds `value` unless it is nil or empty (Go's `omitempty`).
    private static func put(_ value: String?, as key: String, in fields: inout OrderedDictionary<String, WireValue>) {
        if let value, !value.isEmpty { fields[key] = .string(value) }
    }
}
