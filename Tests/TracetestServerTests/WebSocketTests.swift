import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestModel

/// The run-updates WebSocket (api-resources.md §5) with a real WebSocket client over loopback: subscriptions,
/// pushed updates of a real run, error frames, the path prefix, and the keep-alive.
@Suite("WebSocket")
struct WebSocketTests {
    @Test(
        "a subscriber to a run's topics receives every state and event until the run ends",
        arguments: TestBackend.allCases)
    func runUpdates(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withDemoApp(otlpPort: otlp) { port in
                let testID = try await api.create(
                    "/api/tests",
                    RunAPITests.pokemonTest(
                        id: "live", url: "http://127.0.0.1:\(port)/pokemon/1", specs: RunAPITests.passingSpecs))
                try await withSocket("ws://127.0.0.1:\(api.port)/ws") { socket in
                    // Run 1 does not exist yet: subscribing first means nothing of it is missed.
                    let runTopic = "test/\(testID)/run/1"
                    let eventTopic = runTopic + "/event"
                    for topic in [runTopic, eventTopic] {
                        socket.send(#"{"type":"subscribe","resource":"\#(topic)"}"#)
                        let answer = try await socket.next()
                        #expect(answer["type"] as? String == "success")
                        #expect(answer["resource"] as? String == topic)
                        let id = (answer["message"] as? [String: Any])?["subscriptionId"] as? String
                        #expect(id?.isEmpty == false)
                    }
                    _ = try await api.startRun(testID)

                    var states: [String] = []
                    var events: [String] = []
                    var last: [String: Any] = [:]
                    while !terminalRunStates.contains(states.last ?? "") {
                        let update = try await socket.next(timeout: .seconds(60))
                        #expect(update["type"] as? String == "update")
                        let payload = try #require(update["event"] as? [String: Any])
                        switch update["resource"] as? String {
                        case runTopic:
                            #expect(payload["id"] as? Int == 1)
                            states.append(payload["state"] as? String ?? "")
                            last = payload
                        case eventTopic:
                            events.append(payload["type"] as? String ?? "")
                        default:
                            Issue.record("an update on a topic not subscribed to: \(update)")
                        }
                    }
                    #expect(states.last == "FINISHED")
                    let order = ["EXECUTING", "AWAITING_TRACE", "ANALYZING_TRACE", "FINISHED"]
                    #expect(states.filter(order.contains).uniqued() == order, "\(states)")
                    #expect((last["result"] as? [String: Any])?["allPassed"] as? Bool == true)
                    // The last state pushed is what the API answers.
                    let stored = try await api.get("/api/tests/\(testID)/run/1").object()
                    #expect(stored["state"] as? String == "FINISHED")
                    #expect(stored["completedAt"] as? String == last["completedAt"] as? String)

                    // Events arrive as they are stored; the last ones may follow the final state.
                    let storedEvents = try #require(
                        try await api.get("/api/tests/\(testID)/run/1/events").json() as? [[String: Any]])
                    let storedTypes = storedEvents.compactMap { $0["type"] as? String }
                    while events.count < storedTypes.count {
                        let update = try await socket.next()
                        if update["resource"] as? String == eventTopic {
                            events.append((update["event"] as? [String: Any])?["type"] as? String ?? "")
                        }
                    }
                    #expect(events == storedTypes)
                    #expect(events.first == "CREATED_INFO")
                    #expect(events.contains("TEST_SPECS_RUN_SUCCESS"))
                }
            }
        }
    }

    @Test("two servers on one PostgreSQL database: a subscriber on one sees a run the other executes, and its events")
    func acrossServers() async throws {
        try await withSharedDatabaseServers { first, second in
            try await withRunningServer(first) { a in
                try await withRunningServer(second) { b in
                    try await a.create("/api/tests", RunEngineTests.traceIDTest(id: "far"))
                    let traceID = TraceID.random().hex
                    try await withSocket("ws://127.0.0.1:\(b.port)/ws") { socket in
                        for topic in ["test/far/run/1", "test/far/run/1/event"] {
                            socket.send(#"{"type":"subscribe","resource":"\#(topic)"}"#)
                            #expect(try await socket.next()["type"] as? String == "success")
                        }
                        _ = try await a.startRun("far", RunEngineTests.variables(traceID: traceID))
                        try await a.export([TestSpan(traceID: traceID, name: "work")])
                        var states: [String] = []
                        var events: [String] = []
                        while !terminalRunStates.contains(states.last ?? "")
                            || !events.contains("TEST_SPECS_RUN_SUCCESS")
                        {
                            let update = try await socket.next(timeout: .seconds(30))
                            let payload = try #require(update["event"] as? [String: Any])
                            if update["resource"] as? String == "test/far/run/1/event" {
                                events.append(payload["type"] as? String ?? "")
                            } else {
                                states.append(payload["state"] as? String ?? "")
                            }
                        }
                        #expect(states.last == "FINISHED", "\(states)")
                        #expect(states.contains("AWAITING_TRACE"), "\(states)")
                        #expect(events.first == "CREATED_INFO", "\(events)")
                    }
                    #expect(try await leaseHolder(a, testID: "far", runID: 1, becomes: nil))
                }
            }
        }
    }

    @Test("bad messages get an error frame and the connection stays usable; unsubscribe stops updates")
    func messages() async throws {
        try await withTestServer(.sqlite) { api in
            try await withSocket("ws://127.0.0.1:\(api.port)/ws") { socket in
                func error(for message: String) async throws -> String {
                    socket.send(message)
                    let answer = try await socket.next()
                    #expect(answer["type"] as? String == "error", "\(message) → \(answer)")
                    #expect(answer["resource"] as? String == "")
                    return answer["message"] as? String ?? ""
                }
                #expect(try await error(for: "not json").hasPrefix("invalid message"))
                #expect(try await error(for: "[1]").contains("JSON object"))
                #expect(try await error(for: #"{"type":"publish","resource":"x"}"#).contains("\"publish\""))
                #expect(try await error(for: #"{"resource":"x"}"#).contains("subscribe"))
                #expect(try await error(for: #"{"type":"subscribe"}"#).contains("resource cannot be empty"))
                #expect(
                    try await error(for: #"{"type":"subscribe","resource":""}"#).contains("resource cannot be empty"))
                #expect(
                    try await error(for: #"{"type":"unsubscribe","resource":"test/t/run/1","subscriptionId":"nope"}"#)
                        .contains("no subscription \"nope\""))

                socket.send(#"{"type":"subscribe","resource":"test/t/run/1"}"#)
                let subscribed = try await socket.next()
                let id = try #require((subscribed["message"] as? [String: Any])?["subscriptionId"] as? String)
                // The subscription id belongs to its topic.
                #expect(
                    try await error(for: #"{"type":"unsubscribe","resource":"test/t/run/2","subscriptionId":"\#(id)"}"#)
                        .contains("no subscription"))
                socket.send(#"{"type":"unsubscribe","resource":"test/t/run/1","subscriptionId":"\#(id)"}"#)
                let unsubscribed = try await socket.next()
                #expect(unsubscribed["type"] as? String == "success")
                #expect(unsubscribed["resource"] as? String == "")
                #expect(unsubscribed["message"] as? String == "ok")
                #expect(
                    try await error(for: #"{"type":"unsubscribe","resource":"test/t/run/1","subscriptionId":"\#(id)"}"#)
                        .contains("no subscription"))
            }
            // Without the upgrade headers the path answers how to connect.
            let plain = try await api.get("/ws")
            #expect(plain.status == 400)
            #expect((try plain.json() as? String)?.contains("WebSocket") == true)
        }
    }

    @Test("with a path prefix the socket answers at /ws and at <prefix>/ws")
    func pathPrefix() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.server.pathPrefix = "/tracetest"
            try await withRunningServer(configuration) { api in
                for path in ["/ws", "/tracetest/ws"] {
                    try await withSocket("ws://127.0.0.1:\(api.port)\(path)") { socket in
                        socket.send(#"{"type":"subscribe","resource":"test/t/run/1"}"#)
                        let answer = try await socket.next()
                        #expect(answer["type"] as? String == "success", "\(path)")
                    }
                }
                #expect(try await api.get("/tracetest/api/version.json").status == 200)
            }
        }
    }

    @Test("the server pings every 5 s and closes a connection that sends no pong; one that answers stays open")
    func keepAlive() async throws {
        try await withTestServer(.sqlite) { api in
            async let silent = SilentSocket.frames(port: api.port, path: "/ws", limit: .seconds(25))
            // A real client answers pings: after 12 s (two pings) it is still served.
            try await withSocket("ws://127.0.0.1:\(api.port)/ws") { socket in
                try await Task.sleep(for: .seconds(12))
                socket.send(#"{"type":"subscribe","resource":"test/t/run/1"}"#)
                let answer = try await socket.next()
                #expect(answer["type"] as? String == "success")
            }
            let frames = try await silent
            let ping = try #require(frames.first { $0.opcode == 0x9 }, "no ping in \(frames)")
            // Pings come every 5 s, not constantly; the upper bounds only catch "never" on a loaded machine.
            #expect(ping.at >= .seconds(4) && ping.at < .seconds(20), "ping at \(ping.at)")
            let close = try #require(frames.first { $0.opcode == 0x8 }, "no close in \(frames)")
            #expect(close.at >= .seconds(9) && close.at > ping.at, "close at \(close.at)")
        }
    }
}

extension Array where Element: Hashable {
    /// The elements without repeats, in first-seen order.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

// MARK: - Clients

/// One WebSocket connection of `withSocket`: messages are sent in order, received ones are read with a timeout.
final class TestSocket: Sendable {
    private let outgoing: AsyncStream<String>.Continuation
    private let inbox: Inbox

    init(outgoing: AsyncStream<String>.Continuation, inbox: Inbox) {
        self.outgoing = outgoing
        self.inbox = inbox
    }

    func send(_ text: String) { outgoing.yield(text) }

    /// The next message as a JSON object.
    func next(timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let text = await inbox.take() {
                guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw TestServerError("not a JSON object: \(text)")
                }
                return object
            }
            if await inbox.isFinished { throw TestServerError("the server closed the socket") }
            guard ContinuousClock.now < deadline else { throw TestServerError("no message within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    actor Inbox {
        private var messages: [String] = []
        private(set) var isFinished = false

        func append(_ text: String) { messages.append(text) }
        func finish() { isFinished = true }
        func take() -> String? { messages.isEmpty ? nil : messages.removeFirst() }
    }
}

/// Connects to `url` with HummingbirdWSClient (sending `headers` with the upgrade request), runs `body`, then closes
/// the connection.
func withSocket<R: Sendable>(
    _ url: String, headers: [String: String] = [:], _ body: (TestSocket) async throws -> R
) async throws -> R {
    let (outgoing, sink) = AsyncStream.makeStream(of: String.self)
    let inbox = TestSocket.Inbox()
    var logger = Logger(label: "tracetest.test.websocket")
    logger.logLevel = .error
    let client = Task {
        try await WebSocketClient.connect(
            url: url,
            configuration: .init(
                maxFrameSize: 1 << 24,
                additionalHeaders: HTTPFields(headers.map { HTTPField(name: HTTPField.Name($0.key)!, value: $0.value) })
            ),
            logger: logger
        ) { inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outgoing { try await outbound.write(.text(text)) }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    if case .text(let text) = message { await inbox.append(text) }
                }
                await inbox.finish()
                try await group.waitForAll()
            }
        }
    }
    let socket = TestSocket(outgoing: sink, inbox: inbox)
    do {
        let result = try await body(socket)
        sink.finish()
        _ = try await client.value
        return result
    } catch {
        sink.finish()
        client.cancel()
        _ = try? await client.value
        throw error
    }
}

/// A client that upgrades to a WebSocket and then never answers anything, recording the frames the server sends.
enum SilentSocket {
    struct Frame: CustomStringConvertible {
        var opcode: UInt8
        /// Since the connection was opened.
        var at: Duration
        var description: String { "opcode \(opcode) at \(at)" }
    }

    /// The frames received until the server closes the connection (or `limit` passes).
    static func frames(port: Int, path: String, limit: Duration) async throws -> [Frame] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let started = ContinuousClock.now
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                ByteBuffer(
                    string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n"))
            return try await withThrowingTaskGroup(of: [Frame]?.self) { group in
                group.addTask {
                    var buffer = ByteBuffer()
                    var upgraded = false
                    var frames: [Frame] = []
                    for try await chunk in inbound {
                        buffer.writeImmutableBuffer(chunk)
                        if !upgraded {
                            let text = String(buffer: buffer)
                            guard let end = text.range(of: "\r\n\r\n") else { continue }
                            guard text.hasPrefix("HTTP/1.1 101") else {
                                throw TestServerError("no upgrade: \(text)")
                            }
                            buffer.moveReaderIndex(forwardBy: text[..<end.upperBound].utf8.count)
                            upgraded = true
                        }
                        while let opcode = readFrame(&buffer) {
                            frames.append(Frame(opcode: opcode, at: ContinuousClock.now - started))
                        }
                    }
                    return frames
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                guard let frames = first else { throw TestServerError("the server kept the connection past \(limit)") }
                return frames
            }
        }
    }

    /// Reads one whole unmasked frame off `buffer` and returns its opcode; nil until a whole frame is there.
    static func readFrame(_ buffer: inout ByteBuffer) -> UInt8? {
        let view = buffer
        guard view.readableBytes >= 2, let first = view.getInteger(at: view.readerIndex, as: UInt8.self),
            let second = view.getInteger(at: view.readerIndex + 1, as: UInt8.self)
        else { return nil }
        var header = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = view.getInteger(at: view.readerIndex + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            header += 2
        } else if length == 127 {
            guard let extended = view.getInteger(at: view.readerIndex + 2, as: UInt64.self) else { return nil }
            length = Int(extended)
            header += 8
        }
        guard view.readableBytes >= header + length else { return nil }
        buffer.moveReaderIndex(forwardBy: header + length)
        return first & 0x0F
    }
}
