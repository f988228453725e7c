import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import TracetestConcurrency
import TracetestEngine
import TracetestModel

/// The WebSocket of api-resources.md §5 at `/ws` and `<pathPrefix>/ws`: clients subscribe to topics
/// (`test/<testId>/run/<runId>`, `.../event`, `testsuites/<suiteId>/run/<runId>`) and receive every update the
/// engine publishes on them. The server pings every 5 s and closes a connection whose pong has not come 5 s after
/// a ping (so 10 s without a pong).
enum RunUpdatesSocket {
    static let pingPeriod: Duration = .seconds(5)
    /// The largest client message read; subscription messages are a few hundred bytes.
    static let maximumMessageSize = 64 * 1024
    /// How long a new connection may take to send its first request head.
    static let headTimeout: TimeAmount = .seconds(10)
    /// How long a connection may stay open between requests (longer than HTTP clients' usual 60 s keep-alive, so
    /// the server is not the one closing a connection a client is about to reuse).
    static let idleTimeout: TimeAmount = .seconds(75)

    /// The HTTP/1 server that upgrades requests for the socket's paths and serves the API on the others; with a
    /// `token`, a connection without it is closed at once with a policy violation that says what to send.
    static func server(
        updates: RunUpdates, pathPrefix: String, token: BearerToken? = nil, tls: ServerTLS? = nil
    ) -> HTTPServerBuilder {
        let paths = socketPaths(pathPrefix: pathPrefix)
        return HTTPServerBuilder { responder in
            let channel = HTTP1WebSocketUpgradeChannel(
                responder: responder,
                configuration: .init(
                    http1: .init(idleTimeout: idleTimeout),
                    ws: .init(autoPing: .enabled(timePeriod: pingPeriod)))
            ) { request, _, _ in
                let path = request.path.map { String($0.prefix { $0 != "?" }) } ?? ""
                // A page of another site is not upgraded (its request is refused below, like any cross-site one).
                guard request.method == .get, paths.contains(path),
                    CrossSiteRequestMiddleware.crossSiteOrigin(of: request) == nil
                else { return .dontUpgrade }
                if let token, !APITokenMiddleware.carriesToken(request, token, pathPrefix: pathPrefix) {
                    return .upgrade([:]) { _, outbound, _ in
                        try await outbound.close(.policyViolation, reason: tokenRequired)
                    }
                }
                return .upgrade([:]) { inbound, outbound, _ in
                    try await serve(inbound: inbound, outbound: outbound, updates: updates)
                }
            }
            let guarded = GuardedHTTPChannel(inner: channel, headTimeout: headTimeout)
            guard let tls else { return guarded }
            return TLSChildChannel(base: guarded, tls: tls)
        }
    }

    /// Why a connection without the API token is closed (a close frame's reason holds at most 123 bytes).
    static let tokenRequired = "API token required (server.auth.token): connect to ws?token=<token>"

    /// `/ws`, and `/<prefix>/ws` when there is a path prefix.
    static func socketPaths(pathPrefix: String) -> Set<String> {
        let prefix = pathPrefix.split(separator: "/").joined(separator: "/")
        return prefix.isEmpty ? ["/ws"] : ["/ws", "/\(prefix)/ws"]
    }

    /// A plain request for the socket's paths (no upgrade headers) is told how to connect.
    static func register(on router: Router<BasicRequestContext>, pathPrefix: String) {
        for path in socketPaths(pathPrefix: pathPrefix) {
            router.get(RouterPath(path)) { request, _ in
                if let origin = CrossSiteRequestMiddleware.crossSiteOrigin(of: request.head) {
                    return OpenAPIResponse.json(
                        .object([
                            "code": 403,
                            "error": .string(
                                "cross-site WebSocket refused: a page of \(origin) cannot follow this server's runs"),
                        ]),
                        status: .forbidden)
                }
                return OpenAPIResponse.json(
                    .string(
                        "\(path) is a WebSocket: connect with a WebSocket client (Upgrade: websocket) and send "
                            + "{\"type\":\"subscribe\",\"resource\":\"test/<testId>/run/<runId>\"}"),
                    status: .badRequest)
            }
        }
    }

    /// One connection: answers the client's messages and forwards the updates of its subscriptions, until the
    /// client goes away. Every frame is written by one task, in order.
    static func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, updates: RunUpdates
    ) async throws {
        // Updates are queued as values and written as text by the connection's own writer task, never by the
        // publisher (the run engine).
        let (outgoing, sink) = AsyncStream.makeStream(of: WireValue.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A failed write means the client is gone: the read loop ends too.
                for await message in outgoing {
                    do { try await outbound.write(.text(message.jsonText)) } catch { return }
                }
            }
            var subscriptions: [String: Broadcast<String, WireValue>.Subscription] = [:]
            defer {
                for subscription in subscriptions.values { updates.unsubscribe(subscription) }
                sink.finish()
            }
            for try await message in inbound.messages(maxSize: maximumMessageSize) {
                let request: ClientMessage
                do throws(ClientMessage.Invalid) {
                    request = try ClientMessage(message)
                } catch {
                    sink.yield(Self.error(error.message))
                    continue
                }
                switch request {
                case .subscribe(let topic):
                    // The answer is queued before any update, and listening starts at once, so nothing published
                    // after it is missed.
                    let id = UUID().uuidString.lowercased()
                    sink.yield(
                        WireValue.object([
                            "type": "success", "resource": .string(topic),
                            "message": .object(["subscriptionId": .string(id)]),
                        ]))
                    subscriptions[id] = updates.subscribe(topic) { event in
                        sink.yield(.object(["type": "update", "resource": .string(topic), "event": event]))
                    }
                case .unsubscribe(let topic, let id):
                    guard let subscription = subscriptions[id], subscription.topic == topic else {
                        sink.yield(
                            Self.error(
                                "no subscription \"\(id)\" to \"\(topic)\" on this connection: send the "
                                    + "subscriptionId the subscribe message was answered with"))
                        continue
                    }
                    updates.unsubscribe(subscription)
                    subscriptions[id] = nil
                    sink.yield(WireValue.object(["type": "success", "resource": "", "message": "ok"]))
                }
            }
        }
    }

    static func error(_ message: String) -> WireValue {
        .object(["type": "error", "resource": "", "message": .string(message)])
    }
}

/// A message a client sends on the socket.
enum ClientMessage {
    case subscribe(String)
    case unsubscribe(String, subscriptionID: String)

    struct Invalid: Error {
        var message: String
    }

    init(_ message: WebSocketMessage) throws(Invalid) {
        guard case .text(let text) = message else {
            throw Invalid(message: "invalid message: send JSON text frames, not binary ones")
        }
        let value: WireValue
        do {
            value = try WireDecoding.decode(WireValue.self, from: try WireDecoding.jsonDocument(text))
        } catch {
            throw Invalid(message: "invalid message: \(error)")
        }
        guard case .object = value else {
            throw Invalid(message: "invalid message: expected a JSON object {\"type\", \"resource\"}")
        }
        let resource = value["resource"]?.stringValue ?? ""
        switch value["type"]?.stringValue {
        case "subscribe":
            guard !resource.isEmpty else {
                throw Invalid(message: "resource cannot be empty: name a topic such as test/<testId>/run/<runId>")
            }
            self = .subscribe(resource)
        case "unsubscribe":
            guard !resource.isEmpty else {
                throw Invalid(message: "resource cannot be empty: name the topic to unsubscribe from")
            }
            self = .unsubscribe(resource, subscriptionID: value["subscriptionId"]?.stringValue ?? "")
        case let type:
            let named = type.map { "\"\($0)\"" } ?? "missing"
            throw Invalid(message: "invalid message: type \(named): use \"subscribe\" or \"unsubscribe\"")
        }
    }
}
