import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle
import Synchronization
import TracetestModel

/// The gRPC clients of the trace stores (Jaeger, Tempo), one per endpoint and TLS settings, kept and reused across
/// polls and runs while this service runs; the least recently used goes when a fifth is needed. Not running (a client
/// of the stores made outside a server), each call gets a client of its own.
package final class StoreGRPCClients: Service, Sendable {
    typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

    /// What makes two settings share a client (headers go with each call).
    struct Key: Hashable {
        var host: String
        var port: Int
        var plaintext: Bool
        var skipVerify: Bool
        /// PEM files: the CA to trust instead of the system's, and a client certificate with its key.
        var caFile: String?
        var certFile: String?
        var keyFile: String?
        /// The name the server's certificate is checked against (and sent as SNI and `:authority`), when it is not
        /// the endpoint's host.
        var serverName: String?
    }

    private struct State {
        var running = false
        var clients: [Key: (client: Client, used: UInt64)] = [:]
        var uses: UInt64 = 0
    }

    static let capacity = 4

    private let state = Mutex(State())
    private let started: AsyncStream<Client>
    private let start: AsyncStream<Client>.Continuation

    package init() {
        (started, start) = AsyncStream.makeStream(of: Client.self)
    }

    /// How many clients are kept now.
    package var count: Int { state.withLock { $0.clients.count } }

    /// Whether clients are kept (the service runs).
    package var isRunning: Bool { state.withLock { $0.running } }

    /// Runs every client made until graceful shutdown, then shuts them down.
    package func run() async throws {
        state.withLock { $0.running = true }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await client in started {
                    group.addTask { try? await client.runConnections() }
                }
            }
        } onGracefulShutdown: {
            let clients = self.state.withLock { state in
                state.running = false
                defer { state.clients = [:] }
                return state.clients.values.map(\.client)
            }
            self.start.finish()
            for client in clients { client.beginGracefulShutdown() }
        }
    }

    /// `body` with the kept client for `key`, made on first use; without the service running, with a client of its
    /// own for this call.
    func withClient<R: Sendable>(
        _ key: Key, make: () throws -> HTTP2ClientTransport.Posix, _ body: (Client) async throws -> R
    ) async throws -> R {
        let kept: Client? = try state.withLock { state in
            guard state.running else { return nil }
            state.uses += 1
            if let entry = state.clients[key] {
                state.clients[key]?.used = state.uses
                return entry.client
            }
            if state.clients.count >= Self.capacity,
                let oldest = state.clients.min(by: { $0.value.used < $1.value.used })
            {
                oldest.value.client.beginGracefulShutdown()
                state.clients[oldest.key] = nil
            }
            let client = Client(transport: try make())
            state.clients[key] = (client, state.uses)
            start.yield(client)
            return client
        }
        if let kept { return try await body(kept) }
        return try await withGRPCClient(transport: try make()) { try await body($0) }
    }
}
