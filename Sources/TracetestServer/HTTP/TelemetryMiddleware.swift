import Foundation
import HTTPTypes
import Hummingbird
import TracetestModel
import TracetestTelemetry

/// The route span of every API request (`<METHOD> <route template>`, a child of the caller's `traceparent`) and
/// the `http.server.latency` histogram (engine-telemetry.md §4.3–4.4). Added only when internal telemetry is on.
struct TelemetryMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let tracer: InternalTracer
    let metrics: TelemetryMetrics
    /// `/prefix` of `server.pathPrefix`, or empty; route templates are named without it.
    let pathPrefix: String

    init(tracer: InternalTracer, metrics: TelemetryMetrics, pathPrefix: String) {
        self.tracer = tracer
        self.metrics = metrics
        let trimmed = pathPrefix.split(separator: "/").joined(separator: "/")
        self.pathPrefix = trimmed.isEmpty ? "" : "/" + trimmed
    }

    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
    /// The plural paths of the resource-manager routes, whose item template is `/api/<plural>/{id}`.
    static let resourcePlurals = Set(ResourceKind.allCases.map(\.plural))
    /// Headers whose values are not recorded.
    static let secretHeaders: Set<String> = ["Authorization", "Proxy-Authorization", "Cookie"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        // Set by the router before the middlewares run; nil when no route matches.
        var route = Self.route(context.endpointPath, prefix: pathPrefix)
        if route.isResourceItem, request.method == .post, request.uri.path.hasSuffix("/api/tests/import") {
            // `POST /api/tests/{testId}` serves only the import (RunImportRoutes).
            route = Route(template: "/api/tests/import")
        }
        let method = request.method.rawValue
        let span = startSpan(request, context: context, route: route)
        var response: Response
        do {
            response = try await span.context.withCurrent { try await next(request, context) }
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            span.setAttribute(AttributeKey.HTTP.responseStatusCode, status)
            span.recordError(error)
            span.end()
            record(started, route: route.template, method: method, status: status)
            throw error
        }
        let status = response.status.code
        span.setAttribute(AttributeKey.HTTP.responseStatusCode, status)
        if span.isRecording, status >= 400, status >= 500 || route.isResource {
            // Error bodies are small JSON or YAML documents: read them to record the error text.
            let body = try await Self.collect(response.body)
            response.body = ResponseBody(byteBuffer: body)
            let text = String(buffer: body)
            let found = Self.errorMessage(in: text)
            let message = found.isEmpty ? "\(status) \(response.status.reasonPhrase)" : found
            if status >= 500 {
                span.setAttribute(AttributeKey.HTTP.responseBody, text)
                span.recordError(RouteError(message: "faulty server response: \(message)"))
            } else {
                span.recordError(RouteError(message: message))
            }
        }
        span.end()
        record(started, route: route.template, method: method, status: status)
        return response
    }

    private func startSpan(_ request: Request, context: Context, route: Route) -> TelemetrySpan {
        let parent = tracer.extractContext(
            traceparent: request.headers[Self.traceparent], tracestate: request.headers[Self.tracestate])
        let method = request.method.rawValue
        let span = tracer.startSpan(SpanName.route(method: method, template: route.template), parent: parent)
        guard span.isRecording else { return span }
        var parameters: [String: String] = [:]
        for (name, value) in context.parameters {
            parameters[route.isResourceItem ? "id" : String(name)] = String(value)
        }
        var query: [String: [String]] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name), default: []].append(String(value)) }
        var headers: [String: [String]] = [:]
        for field in request.headers {
            let name = Self.canonicalHeaderName(field.name.rawName)
            headers[name, default: []].append(Self.secretHeaders.contains(name) ? "[redacted]" : field.value)
        }
        let path = request.uri.path
        span.setAttributes([
            AttributeKey.HTTP.method: .string(method),
            AttributeKey.HTTP.route: .string(route.template),
            AttributeKey.HTTP.target: .string(request.uri.query.map { "\(path)?\($0)" } ?? path),
            AttributeKey.HTTP.requestParams: .string(Self.json(parameters)),
            AttributeKey.HTTP.requestQuery: .string(Self.json(query)),
            AttributeKey.HTTP.requestHeaders: .string(Self.json(headers)),
        ])
        return span
    }

    private func record(_ started: ContinuousClock.Instant, route: String, method: String, status: Int) {
        guard metrics.isEnabled else { return }
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        metrics.recordHTTPServerLatency(milliseconds: milliseconds, route: route, method: method, statusCode: status)
    }

    /// A request's route template, as Tracetest names it.
    struct Route: Equatable {
        var template: String
        /// `/api/<plural>` or `/api/<plural>/{id}` of a resource kind.
        var isResource = false
        /// `/api/<plural>/{id}`: its path parameter is named `id`.
        var isResourceItem = false
    }

    /// `/api/tests/{testId}/run` for the endpoint path `/<prefix>/api/tests/{testId}/run`; `/api/tests/{id}` for the
    /// resource item routes; `/` when no route matched.
    static func route(_ endpointPath: String?, prefix: String) -> Route {
        guard var path = endpointPath, !path.isEmpty else { return Route(template: "/") }
        if !prefix.isEmpty, path.hasPrefix(prefix + "/") { path.removeFirst(prefix.count) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.first == "api", segments.count >= 2, resourcePlurals.contains(String(segments[1])) else {
            return Route(template: path)
        }
        if segments.count == 2 { return Route(template: path, isResource: true) }
        if segments.count == 3, segments[2].hasPrefix("{"), segments[2].hasSuffix("}") {
            return Route(template: "/api/\(segments[1])/{id}", isResource: true, isResourceItem: true)
        }
        return Route(template: path)
    }

    /// Go's canonical form of a header name: `content-type` → `Content-Type`.
    static func canonicalHeaderName(_ name: String) -> String {
        var bytes = Array(name.utf8)
        var upper = true
        for index in bytes.indices {
            let byte = bytes[index]
            if upper, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") {
                bytes[index] = byte - 32
            } else if !upper, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") {
                bytes[index] = byte + 32
            }
            upper = byte == UInt8(ascii: "-")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `{"name":"value",…}` with the names sorted.
    static func json(_ values: [String: String]) -> String {
        var out = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            WireValue.writeJSONString(key, into: &out)
            out += ":"
            WireValue.writeJSONString(values[key] ?? "", into: &out)
        }
        return out + "}"
    }

    /// `{"name":["value",…],…}` with the names sorted.
    static func json(_ values: [String: [String]]) -> String {
        var out = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            WireValue.writeJSONString(key, into: &out)
            out += ":["
            for (position, value) in (values[key] ?? []).enumerated() {
                if position > 0 { out += "," }
                WireValue.writeJSONString(value, into: &out)
            }
            out += "]"
        }
        return out + "}"
    }

    /// The text of an error body: `error` of a `{code, error}` object (JSON or YAML), a JSON string, or the body.
    static func errorMessage(in body: String) -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        switch JSONParser.parse(trimmed) {
        case .string(let text): return text
        case let value? where value["error"] != nil:
            if case .string(let error)? = value["error"] { return error }
        default: break
        }
        for line in trimmed.split(separator: "\n") where line.hasPrefix("error: ") {
            var text = line.dropFirst("error: ".count).trimmingCharacters(in: .whitespaces)
            if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
        return trimmed
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let writer = CollectingWriter()
        let collected = writer.buffer
        try await body.write(writer)
        return collected.value
    }
}

/// The error recorded on a route span whose response is an error.
struct RouteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Keeps what a response body writes.
private struct CollectingWriter: ResponseBodyWriter {
    final class Box: @unchecked Sendable {
        var value = ByteBuffer()
    }
    let buffer = Box()

    mutating func write(_ chunk: ByteBuffer) async throws {
        var chunk = chunk
        buffer.value.writeBuffer(&chunk)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
