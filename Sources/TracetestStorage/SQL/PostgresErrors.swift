import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns postgres-nio errors, which hide the server's message from their description, into ``StorageError``s.
enum PostgresErrors {
    static func storageError(_ error: PSQLError, sql: String) -> StorageError {
        guard let sqlState = error.serverInfo?[.sqlState] else {
            let lostConnection: Set<PSQLError.Code> = [
                .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
                .sslUnsupported,
            ]
            guard lostConnection.contains(error.code) else {
                return StorageError(.statementFailed, "PostgreSQL: \(reason(error))", sql: sql)
            }
            return StorageError(.unreachable, "PostgreSQL connection failed: \(reason(error))", sql: sql)
        }
        let code: StorageError.Code =
            switch sqlState {
            case "23505": .uniqueViolation
            case _ where sqlState.hasPrefix("23"): .constraintViolation
            case "25P02": .transactionAborted
            // Connections lost or refused: the server went away, shut down, or no longer has the database or the
            // role this server logs in with.
            case _ where sqlState.hasPrefix("08"), _ where sqlState.hasPrefix("57P"), _ where sqlState.hasPrefix("28"),
                "3D000":
                .unreachable
            default: .statementFailed
            }
        return StorageError(code, "PostgreSQL: \(reason(error))", sql: sql)
    }

    /// What went wrong, in the server's or the network's words.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let serverInfo = error.serverInfo, let message = serverInfo[.message] {
            var text = "\(message) (SQLSTATE \(serverInfo[.sqlState] ?? "?"))"
            if let detail = serverInfo[.detail] { text += ": \(detail)" }
            return text
        }
        if let underlying = error.underlying { return networkReason(underlying) }
        return "\(error.code)"
    }

    /// "Connection refused" rather than NIO's nested description.
    private static func networkReason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return networkReason(failure.error) }
            if let dnsError = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve host \(error.host): \(dnsError)"
            }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout(let timeout):
            return "no connection within \(timeout.nanoseconds / 1_000_000)ms"
        default:
            return "\(error)"
        }
    }
}
