import NIOCore
import NIOPosix

/// Start-up refuses a port that something else listens on, in one line that names the port and the key that sets
/// it, before any service starts (a listener failing later would stop the server with a bare `bind(...)` error among
/// the other services' shutdown lines).
package enum PortCheck {
    /// A configured port that something else listens on.
    package struct PortInUse: Error, CustomStringConvertible {
        var host: String
        var port: Int
        var key: String

        package var description: String {
            "port \(port) (\(key)) is already in use on \(host): stop what listens there, or set \(key) to a free port"
        }
    }

    /// Throws ``PortInUse`` for the first of `listeners` whose port is taken; port 0 (any free port) is skipped, and
    /// other bind problems are left to the listener, which reports them itself.
    static func ensureFree(_ listeners: [(host: String, port: Int, key: String)]) async throws {
        for listener in listeners where listener.port != 0 {
            do {
                let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: listener.host, port: listener.port).get()
                try await channel.close()
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw PortInUse(host: listener.host, port: listener.port, key: listener.key)
            } catch {
                continue
            }
        }
    }
}
