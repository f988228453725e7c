import TracetestLanguage
import TracetestModel

/// Replaces `${var:NAME}` / `${env:NAME}` and other `${…}` expressions in every text field of a trigger with the
/// run's variables (engine-telemetry.md §1.8; unlike Tracetest, method, gRPC metadata, Kafka topic, value and PLAIN
/// credentials, and GraphQL's URL, headers, auth and body (variables at any depth) are resolved too; a `.proto` and a
/// GraphQL `schema` are not). An unknown variable or a malformed expression is an error naming the field.
struct TriggerResolution {
    let variables: [String: String]

    func resolve(_ trigger: Trigger) throws(TriggerResolutionError) -> Trigger {
        var resolved = trigger
        if var http = trigger.httpRequest {
            http.method = try text(http.method, "httpRequest.method").uppercased()
            http.url = try text(http.url, "httpRequest.url")
            http.body = try text(http.body, "httpRequest.body")
            http.headers = try pairs(http.headers, "httpRequest.headers")
            http.auth = try auth(http.auth, "httpRequest.auth")
            resolved.httpRequest = http
        }
        if var grpc = trigger.grpc {
            grpc.address = try optional(grpc.address, "grpc.address")
            grpc.method = try optional(grpc.method, "grpc.method")
            grpc.request = try optional(grpc.request, "grpc.request")
            grpc.metadata = try grpc.metadata.map { (pairs) throws(TriggerResolutionError) in
                try self.pairs(pairs, "grpc.metadata")
            }
            grpc.auth = try auth(grpc.auth, "grpc.auth")
            resolved.grpc = grpc
        }
        if var kafka = trigger.kafka {
            var brokers: [String] = []
            for (index, broker) in kafka.brokerUrls.enumerated() {
                brokers.append(try text(broker, "kafka.brokerUrls[\(index)]"))
            }
            kafka.brokerUrls = brokers
            kafka.topic = try text(kafka.topic, "kafka.topic")
            kafka.headers = try pairs(kafka.headers, "kafka.headers")
            kafka.messageKey = try text(kafka.messageKey, "kafka.messageKey")
            kafka.messageValue = try text(kafka.messageValue, "kafka.messageValue")
            if var plain = kafka.authentication?.plain {
                plain.username = try optional(plain.username, "kafka.authentication.plain.username")
                plain.password = try optional(plain.password, "kafka.authentication.plain.password")
                kafka.authentication?.plain = plain
            }
            resolved.kafka = kafka
        }
        if var graphql = trigger.graphql {
            graphql.url = try optional(graphql.url, "graphql.url")
            graphql.headers = try graphql.headers.map { (pairs) throws(TriggerResolutionError) in
                try self.pairs(pairs, "graphql.headers")
            }
            graphql.auth = try auth(graphql.auth, "graphql.auth")
            if var body = graphql.body {
                body.query = try text(body.query, "graphql.body.query")
                body.operationName = try text(body.operationName, "graphql.body.operationName")
                for (name, value) in body.variables {
                    body.variables[name] = try json(value, "graphql.body.variables.\(name)", depth: 0)
                }
                graphql.body = body
            }
            resolved.graphql = graphql
        }
        if Trigger.traceIDIntegrations.contains(trigger.type) {
            resolved.traceid = TraceIDRequest(id: try text("${env:TRACE_ID}", "traceid.id"))
        } else if let traceid = trigger.traceid {
            resolved.traceid = TraceIDRequest(id: try text(traceid.id, "traceid.id"))
        }
        return resolved
    }

    private func text(_ value: String, _ field: String) throws(TriggerResolutionError) -> String {
        guard value.contains("${") else { return value }
        do {
            let template = try Template(parsing: value)
            return try template.render(in: EvaluationContext(variables: variables))
        } catch {
            throw TriggerResolutionError(field: field, message: "\(error)")
        }
    }

    /// The text inside a JSON value resolved, at any depth (GraphQL variables may be objects and lists).
    private func json(_ value: WireValue, _ field: String, depth: Int) throws(TriggerResolutionError) -> WireValue {
        guard depth < 64 else { throw TriggerResolutionError(field: field, message: "nested more than 64 levels deep") }
        switch value {
        case .string(let string):
            return .string(try text(string, field))
        case .array(let items):
            var resolvedItems: [WireValue] = []
            for (index, item) in items.enumerated() {
                resolvedItems.append(try json(item, "\(field)[\(index)]", depth: depth + 1))
            }
            return .array(resolvedItems)
        case .object(var fields):
            for (key, item) in fields { fields[key] = try json(item, "\(field).\(key)", depth: depth + 1) }
            return .object(fields)
        default:
            return value
        }
    }

    private func optional(_ value: String?, _ field: String) throws(TriggerResolutionError) -> String? {
        guard let value else { return nil }
        return try text(value, field)
    }

    private func pairs(_ pairs: [KeyValue], _ field: String) throws(TriggerResolutionError) -> [KeyValue] {
        var resolved: [KeyValue] = []
        for (index, pair) in pairs.enumerated() {
            resolved.append(
                KeyValue(
                    key: try text(pair.key, "\(field)[\(index)].key"),
                    value: try text(pair.value, "\(field)[\(index)].value")))
        }
        return resolved
    }

    private func auth(_ auth: Authentication?, _ field: String) throws(TriggerResolutionError) -> Authentication? {
        guard var auth else { return nil }
        if var apiKey = auth.apiKey {
            apiKey.key = try optional(apiKey.key, "\(field).apiKey.key")
            apiKey.value = try optional(apiKey.value, "\(field).apiKey.value")
            apiKey.in = try optional(apiKey.in, "\(field).apiKey.in")
            auth.apiKey = apiKey
        }
        if var basic = auth.basic {
            basic.username = try optional(basic.username, "\(field).basic.username")
            basic.password = try optional(basic.password, "\(field).basic.password")
            auth.basic = basic
        }
        if var bearer = auth.bearer {
            bearer.token = try optional(bearer.token, "\(field).bearer.token")
            auth.bearer = bearer
        }
        return auth
    }
}

/// A trigger field whose variables cannot be resolved.
struct TriggerResolutionError: Error, CustomStringConvertible {
    var field: String
    var message: String

    var description: String { "cannot resolve trigger field \(field): \(message)" }
}
