import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Start-up refuses a port that something else listens on, in one line that names the port and the key that sets
/// it, before any service starts (a listener failing later would stop the server with a bare `bind(...)` error among
/// the other services' shutdown lines).
package enum PortCheck {
    /// A configured port that something else listens on, or that two of the server's listeners were given.
    package struct PortInUse: Error, CustomStringConvertible {
        var host: String
        var port: Int
        var key: String
        /// The other key set to the same port, when the clash is in the configuration itself.
        var otherKey: String? = nil

        package var description: String {
            if let otherKey {
                return "port \(port) is set for both \(otherKey) and \(key): give each its own port"
            }
            return "port \(port) (\(key)) is already in use on \(host): stop what listens there, or set \(key) to a "
                + "free port"
        }
    }

    /// Throws ``PortInUse`` for the first of `listeners` whose port is taken; port 0 (any free port) is skipped, and
    /// other bind problems are left to the listener, which reports them itself. The port is bound and never
    /// listened on, so a client that connects meanwhile (the CLI started right after `serve &`) is refused and retries,
    /// instead of being accepted and dropped.
    static func ensureFree(_ listeners: [(host: String, port: Int, key: String)]) throws {
        var keys: [Int: String] = [:]
        for listener in listeners where listener.port != 0 {
            if let other = keys[listener.port] {
                throw PortInUse(host: listener.host, port: listener.port, key: listener.key, otherKey: other)
            }
            keys[listener.port] = listener.key
        }
        for listener in listeners where listener.port != 0 {
            guard let address = try? SocketAddress.makeAddressResolvingHost(listener.host, port: listener.port) else {
                continue
            }
            if bindFails(address, with: EADDRINUSE) {
                throw PortInUse(host: listener.host, port: listener.port, key: listener.key)
            }
        }
    }

    private static func bindFails(_ address: SocketAddress, with code: Int32) -> Bool {
        let family: Int32 =
            switch address {
            case .v6: AF_INET6
            default: AF_INET
            }
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
        return result != 0 && errno == code
    }
}
