#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP port on 127.0.0.1 that nothing listens on: bound once to learn it, then released.
package func unusedPort() throws -> Int {
    let fd = try tcpSocket()
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw TestServerError("cannot bind a socket on 127.0.0.1") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A port on 127.0.0.1 that refuses connections for as long as `body` runs: bound and never listened on, so no other
/// test can take it meanwhile (a port from ``unusedPort()`` could be reused by another test's listener).
package func withClosedPort<R>(_ body: (Int) async throws -> R) async throws -> R {
    let fd = try tcpSocket()
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw TestServerError("cannot bind a socket on 127.0.0.1") }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}

/// A new TCP socket; the caller closes it.
package func tcpSocket() throws -> Int32 {
    #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw TestServerError("cannot open a socket") }
    return fd
}

/// 127.0.0.1:`port` as a socket address.
package func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
}
