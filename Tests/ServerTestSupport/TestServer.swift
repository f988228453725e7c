import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import TestSupport
import TracetestConfig
import TracetestIngest
import TracetestServer
import TracetestStorage

/// Runs `body` with a server configuration whose storage is a fresh database of `backend` (a temporary SQLite
/// file, or a new PostgreSQL database), listening on a free loopback port; the database is deleted afterwards.
/// Use it with ``withRunningServer(_:provisioning:_:)`` to start, stop and restart servers on one database.
@discardableResult
package func withTestConfiguration<R>(
    _ backend: TestBackend,
    _ body: (ServerConfiguration) async throws -> R
) async throws -> R {
    try await withSlot(.servers) { try await testConfiguration(backend, body) }
}

private func testConfiguration<R>(
    _ backend: TestBackend,
    _ body: (ServerConfiguration) async throws -> R
) async throws -> R {
    var configuration = ServerConfiguration()
    configuration.server.host = "127.0.0.1"
    configuration.server.httpPort = 0
    // Restarts of this configuration are the same server: they take its runs' leases back at once.
    configuration.server.instanceName = "test-" + UUID().uuidString
    configuration.otlpServer.host = "127.0.0.1"
    configuration.otlpServer.grpcPort = 0
    configuration.otlpServer.httpPort = 0
    switch backend {
    case .sqlite:
        return try await withTemporaryDirectory { directory in
            configuration.sqlite.path = directory + "/tracetest.db"
            return try await body(configuration)
        }
    case .postgresql:
        return try await withTestPostgresSettings { settings in
            configuration.postgres = PostgresConnectionSettings(
                host: settings.host, port: settings.port, user: settings.user, password: settings.password,
                database: settings.database, sslMode: .disable)
            configuration.postgres?.connectionWait = settings.connectionWait
            return try await body(configuration)
        }
    }
}

/// Runs `body` with the configurations of two servers, `first` and `second`, on one fresh PostgreSQL database (the
/// servers of one service: they share runs and spans).
@discardableResult
package func withSharedDatabaseServers<R>(
    _ body: (_ first: ServerConfiguration, _ second: ServerConfiguration) async throws -> R
) async throws -> R {
    try await withTestConfiguration(.postgresql) { configuration in
        var first = configuration
        first.server.instanceName = "first"
        var second = configuration
        second.server.instanceName = "second"
        return try await body(first, second)
    }
}

/// Starts a whole server in this process with `configuration`, runs `body` against its HTTP API, then shuts it
/// down gracefully as SIGTERM would.
@discardableResult
package func withRunningServer<R>(
    _ configuration: ServerConfiguration,
    provisioning: Provisioning? = nil,
    _ body: (TestAPI) async throws -> R
) async throws -> R {
    var logger = Logger(label: "tracetest.test.server")
    logger.logLevel = .error
    let (ports, portContinuation) = AsyncStream.makeStream(of: (TracetestServer.Listener, Int).self)
    let server = try await TracetestServer.make(
        configuration: configuration,
        provisioning: provisioning,
        logger: logger,
        onListening: { listener, port in portContinuation.yield((listener, port)) }
    )
    let group = ServiceGroup(configuration: .init(services: server.services, logger: logger))
    let running = Task {
        defer { portContinuation.finish() }
        try await group.run()
    }
    let expected = configuration.otlpServer.enabled ? 3 : 1
    var listening: [TracetestServer.Listener: Int] = [:]
    for await (listener, port) in ports {
        listening[listener] = port
        if listening.count == expected { break }
    }
    guard let port = listening[.api], listening.count == expected else {
        try await running.value
        throw TestServerError("the server stopped before it listened")
    }
    let api = TestAPI(
        port: port, store: server.store, spans: server.spans,
        otlpGRPCPort: listening[.otlpGRPC], otlpHTTPPort: listening[.otlpHTTP])
    do {
        let result = try await body(api)
        await group.triggerGracefulShutdown()
        try await running.value
        return result
    } catch {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}

/// Starts a fresh server on `backend` and runs `body` against it.
@discardableResult
package func withTestServer<R>(
    _ backend: TestBackend,
    provisioning: Provisioning? = nil,
    _ body: (TestAPI) async throws -> R
) async throws -> R {
    try await withTestConfiguration(backend) { configuration in
        try await withRunningServer(configuration, provisioning: provisioning, body)
    }
}

/// An HTTP client for one running server, over real loopback HTTP.
package struct TestAPI: Sendable {
    package let port: Int
    private let inProcessStore: Store?
    /// The server's span store, for servers running in this process.
    package let spans: SpanStore?
    package let otlpGRPCPort: Int?
    package let otlpHTTPPort: Int?

    /// A client for the server on `port`; `store` is given when the server runs in this process.
    package init(
        port: Int, store: Store? = nil, spans: SpanStore? = nil, otlpGRPCPort: Int? = nil, otlpHTTPPort: Int? = nil
    ) {
        self.port = port
        inProcessStore = store
        self.spans = spans
        self.otlpGRPCPort = otlpGRPCPort
        self.otlpHTTPPort = otlpHTTPPort
    }

    /// The server's store, to check what was (not) written; only for servers running in this process.
    package var store: Store {
        guard let inProcessStore else { preconditionFailure("the server runs in another process") }
        return inProcessStore
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends a request; `path` starts with `/`.
    package func send(
        _ method: HTTPMethod,
        _ path: String,
        body: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        // A hang fails the test; the bound is wide, as a debug build on a busy 2-core machine is slow.
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    package func get(_ path: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.GET, path, headers: headers)
    }

    package func post(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.POST, path, body: body, headers: headers)
    }

    package func put(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.PUT, path, body: body, headers: headers)
    }

    package func delete(_ path: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.DELETE, path, headers: headers)
    }
}

/// What the server answered.
package struct TestResponse: Sendable, CustomStringConvertible {
    package let status: Int
    package let headers: HTTPHeaders
    package let body: String

    package func header(_ name: String) -> String? { headers.first(name: name) }

    /// The body parsed as JSON (objects as `[String: Any]`, arrays as `[Any]`).
    package func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body.utf8), options: .fragmentsAllowed)
    }

    /// The body parsed as a JSON object.
    package func object() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw TestServerError("not a JSON object: \(body)") }
        return object
    }

    package var description: String { "\(status) \(body)" }
}

/// YAML headers for the resource API.
package let yamlHeaders = ["Content-Type": "text/yaml", "Accept": "text/yaml"]
/// Asks for the read-only fields of tests and suites.
package let augmentedHeaders = ["X-Tracetest-Augmented": "true"]
