import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import OrderedCollections
import Synchronization
import TracetestModel

/// Fires a resolved trigger with the run's trace context and reports what happened.
package protocol Triggerer: Sendable {
    func fire(_ trigger: Trigger, traceID: TraceID, spanID: SpanID) async -> TriggerResult
    /// Releases connections once no run fires any more.
    func shutdown() async
}

/// The triggers this server runs: HTTP, GraphQL, gRPC, Kafka and the trace-id kinds. Others end the run with a
/// clear message.
package struct Triggers: Triggerer {
    let http: HTTPTrigger

    package init(http: HTTPTrigger = HTTPTrigger()) {
        self.http = http
    }

    package func shutdown() async {
        await http.shutdown()
    }

    package func fire(_ trigger: Trigger, traceID: TraceID, spanID: SpanID) async -> TriggerResult {
        switch trigger.type {
        case "http":
            return await http.fire(trigger, traceID: traceID, spanID: spanID)
        case "graphql":
            return await http.fireGraphQL(trigger.graphql ?? GraphQLRequest(), traceID: traceID, spanID: spanID)
        case "grpc":
            return await GRPCTrigger().fire(trigger.grpc ?? GRPCRequest(), traceID: traceID, spanID: spanID)
        case "kafka":
            return await KafkaTrigger().fire(trigger.kafka ?? KafkaRequest(), traceID: traceID, spanID: spanID)
        case "traceid", "cypress", "playwright", "artillery", "k6":
            return TriggerResult(type: trigger.type, traceID: trigger.traceid?.id ?? "")
        default:
            let supported = "http, grpc, graphql, kafka, traceid (and cypress, playwright, artillery, k6)"
            let message =
                trigger.type.isEmpty
                ? "the test has no trigger: give it a trigger of type \(supported)"
                : "the \(trigger.type) trigger is not supported by this server yet (supported: \(supported))"
            return TriggerResult(
                type: trigger.type,
                error: .init(
                    connectionError: false, runningOnContainer: false, targetsLocalhost: false, message: message)
            )
        }
    }
}

/// HTTP triggers (engine-telemetry.md §1.6): 1 s to connect, 30 s in all, redirects followed, TLS verified only
/// with `sslVerification`, user headers in order then the trace context headers. Only `http` and `https` URLs, and
/// methods that are HTTP tokens, are sent.
package final class HTTPTrigger: Sendable {
    /// Created on first use (one verifying TLS, one not), so a server that never fires has nothing to shut down.
    private let clients = Mutex<[Bool: HTTPClient]>([:])
    private let connectionsPerHost: Int

    /// - Parameter connectionsPerHost: connections kept open to one host at once; as many as runs execute at once,
    ///   so that no run waits for another's connection (and fails after the 1 s connect timeout).
    package init(connectionsPerHost: Int = 32) {
        self.connectionsPerHost = max(1, connectionsPerHost)
    }

    package func shutdown() async {
        let open = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in open { try? await client.shutdown() }
    }

    private func client(verifyingTLS verify: Bool) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[verify] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .follow(max: 10, allowCycles: false),
                timeout: .init(connect: .seconds(1))
            )
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
            var tls = TLSConfiguration.makeClientConfiguration()
            if !verify { tls.certificateVerification = .none }
            configuration.tlsConfiguration = tls
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[verify] = client
            return client
        }
    }

    func fire(_ trigger: Trigger, traceID: TraceID, spanID: SpanID) async -> TriggerResult {
        await send(trigger.httpRequest ?? HTTPRequest(), as: "http", traceID: traceID, spanID: spanID)
    }

    /// A GraphQL request: the body POSTed as JSON (`query`, and `variables` and `operationName` when given), as an
    /// HTTP trigger would send it. A response that is not JSON fails the trigger (the URL is not a GraphQL endpoint);
    /// one with `errors` is a result like any other, for the specs to judge.
    func fireGraphQL(_ graphql: GraphQLRequest, traceID: TraceID, spanID: SpanID) async -> TriggerResult {
        let url = graphql.url ?? ""
        let body = graphql.body ?? GraphQLRequest.Body()
        var document: OrderedDictionary<String, WireValue> = ["query": .string(body.query)]
        if !body.variables.isEmpty { document["variables"] = .object(body.variables) }
        if !body.operationName.isEmpty { document["operationName"] = .string(body.operationName) }
        var headers = graphql.headers ?? []
        if !headers.contains(where: { $0.key.lowercased() == "content-type" }) {
            headers.insert(KeyValue(key: "Content-Type", value: "application/json"), at: 0)
        }
        let request = HTTPRequest(
            method: "POST", url: url, headers: headers, body: WireValue.object(document).jsonText, auth: graphql.auth,
            sslVerification: graphql.sslVerification ?? false)
        var result = await send(request, as: "graphql", traceID: traceID, spanID: spanID)
        guard let response = result.http else { return result }
        result.http = nil
        let contentType = response.headers.first { $0.key.lowercased() == "content-type" }?.value ?? ""
        guard contentType.lowercased().contains("json") || JSONParser.parse(response.body) != nil else {
            let kind = contentType.isEmpty ? "no Content-Type" : contentType
            result.error = .init(
                connectionError: false, runningOnContainer: false, targetsLocalhost: false,
                message: "\(url) answered \(response.status) with \(kind), not JSON: check that it is the GraphQL "
                    + "endpoint (often /graphql)")
            return result
        }
        result.graphql = response
        return result
    }

    private func send(_ request: HTTPRequest, as type: String, traceID: TraceID, spanID: SpanID) async
        -> TriggerResult
    {
        if let problem = request.problem {
            return TriggerResult(
                type: type,
                error: .init(
                    connectionError: false, runningOnContainer: false, targetsLocalhost: false,
                    message: "the request cannot be sent: \(problem)"))
        }
        var text = request.url.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        let targetsLocalhost = URL(string: text).map { ["localhost", "127.0.0.1"].contains($0.host ?? "") } ?? false
        var outgoing = HTTPClientRequest(url: text)
        outgoing.method = HTTPMethod(rawValue: request.method.isEmpty ? "GET" : request.method.uppercased())
        for header in request.headers { outgoing.headers.add(name: header.key, value: header.value) }
        if let auth = request.auth { Self.apply(auth, to: &outgoing) }
        for header in Propagation.headers(traceID: traceID, spanID: spanID) {
            outgoing.headers.replaceOrAdd(name: header.key, value: header.value)
        }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(string: request.body)) }
        do {
            let client = client(verifyingTLS: request.sslVerification)
            let response = try await client.execute(outgoing, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return TriggerResult(
                type: type,
                http: .init(
                    status: "\(response.status.code) \(response.status.reasonPhrase)",
                    statusCode: Int(response.status.code),
                    headers: response.headers.map { KeyValue(key: $0.name, value: $0.value) },
                    body: String(buffer: body)
                )
            )
        } catch {
            return TriggerResult(
                type: type,
                error: .init(
                    connectionError: Self.isConnectionError(error),
                    runningOnContainer: Self.runningOnContainer,
                    targetsLocalhost: targetsLocalhost,
                    message: Self.describe(error, url: text)
                )
            )
        }
    }

    /// API key as a header or query parameter, basic credentials, or the bearer token as it is.
    static func apply(_ auth: Authentication, to request: inout HTTPClientRequest) {
        switch auth.type {
        case "apiKey":
            guard let key = auth.apiKey?.key, let value = auth.apiKey?.value else { return }
            if auth.apiKey?.in == "query", var components = URLComponents(string: request.url) {
                components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: key, value: value)]
                request.url = components.string ?? request.url
            } else {
                request.headers.add(name: key, value: value)
            }
        case "basic":
            let credentials = "\(auth.basic?.username ?? ""):\(auth.basic?.password ?? "")"
            request.headers.replaceOrAdd(
                name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        case "bearer":
            request.headers.replaceOrAdd(name: "Authorization", value: auth.bearer?.token ?? "")
        default:
            return
        }
    }

    static let runningOnContainer =
        FileManager.default.fileExists(atPath: "/.dockerenv")
        || ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil

    static func isConnectionError(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [.connectTimeout, .deadlineExceeded, .remoteConnectionClosed, .getConnectionFromPoolTimeout]
                .contains(error)
        }
        return error is NIOConnectionError || error is ChannelError || error is IOError
            || String(describing: error).contains("connect")
    }

    /// A system error as the system words it ("connection refused"), with a hint for a refused connection.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        let text = String(cString: strerror(error.errnoCode)).lowercased()
        return error.errnoCode == ECONNREFUSED ? text + ": is the application running and listening there?" : text
    }

    static func describe(_ error: any Error, url: String) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "could not connect to \(url): no answer within 1s"
            case .deadlineExceeded: return "\(url) did not answer within 30s"
            default: break
            }
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return "could not connect to \(url): \(reason(first.error))"
        }
        if isConnectionError(error) {
            return "could not connect to \(url): \(reason(error))"
        }
        return "could not send the request to \(url): \(error)"
    }
}
