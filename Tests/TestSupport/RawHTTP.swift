import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a server did with bytes sent on a fresh connection.
package struct RawExchange: Sendable {
    /// Everything the server sent before closing the connection or going quiet.
    package var response: String
    /// Whether the server closed the connection within the wait.
    package var closed: Bool
    /// The status code of the first response line, if any.
    package var status: Int? {
        let parts = response.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }
}

/// Sends `bytes` to 127.0.0.1:`port` over plain TCP (no HTTP client in between, so malformed requests reach the
/// server as they are) and reads until the server closes or `waitSeconds` pass without data. The blocking socket
/// calls run on a thread of their own, never on the cooperative threads an in-process server needs.
package func rawExchange(port: Int, bytes: [UInt8], waitSeconds: Int = 3) async throws -> RawExchange {
    try await withCheckedThrowingContinuation { answer in
        Thread {
            answer.resume(with: Result { try blockingExchange(port: port, bytes: bytes, waitSeconds: waitSeconds) })
        }
        .start()
    }
}

private func blockingExchange(port: Int, bytes: [UInt8], waitSeconds: Int) throws -> RawExchange {
    let fd = try tcpSocket()
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else { throw TestServerError("cannot connect to 127.0.0.1:\(port)") }
    var wait = timeval(tv_sec: waitSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    // The server may answer and close before reading everything; a failed send is then expected.
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += buffer[..<count]
        } else {
            // A reset (data sent that the server never read) is a close too; a timeout is not.
            let closed = count == 0 || errno == ECONNRESET
            return RawExchange(response: String(decoding: received, as: UTF8.self), closed: closed)
        }
    }
}
