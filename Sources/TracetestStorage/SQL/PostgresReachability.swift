import Logging
import PostgresNIO

extension PostgresDatabase {
    /// Waits until the server answers `SELECT 1`, retrying with backoff (0.25s doubling up to 5s) and logging one
    /// line per failed attempt; throws ``StorageError/Code/unreachable`` once `timeout` has passed.
    ///
    /// Each attempt opens its own connection, so this works before ``run()`` has started.
    package func waitUntilReachable(timeout: Duration, logger: Logger) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = Duration.milliseconds(250)
        var attempt = 1
        while true {
            do {
                let budget = min(max(deadline - clock.now, .milliseconds(100)), settings.connectTimeout)
                try await ping(within: budget)
                if attempt > 1 { logger.info("PostgreSQL at \(settings.endpoint) is reachable") }
                return
            } catch {
                let reason = PostgresErrors.reason(error)
                let failure = "PostgreSQL at \(settings.endpoint) not reachable (attempt \(attempt)): \(reason)"
                let remaining = deadline - clock.now
                guard remaining > .zero else {
                    logger.warning("\(failure); giving up")
                    throw StorageError(
                        .unreachable,
                        "PostgreSQL at \(settings.endpoint) is not reachable after \(Self.format(timeout)): \(reason). "
                            + "Check postgres.host/port/user/password (or TRACETEST_POSTGRES_*) and that the server "
                            + "is running.")
                }
                let wait = min(delay, remaining)
                logger.warning("\(failure); retrying in \(Self.format(wait))")
                try await Task.sleep(for: wait)
                delay = min(delay * 2, .seconds(5))
                attempt += 1
            }
        }
    }

    /// Connects, runs `SELECT 1` and disconnects, giving up after `limit`.
    private func ping(within limit: Duration) async throws {
        let configuration = try settings.connectionConfiguration(connectTimeout: limit)
        let endpoint = settings.endpoint
        let logger = Logger(label: "tracetest.postgres.ping", factory: { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                do {
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
            group.addTask {
                try await Task.sleep(for: limit)
                throw StorageError(.unreachable, "no answer from \(endpoint) within \(Self.format(limit))")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// `30s`, `1.5s`, `250ms`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.nanoseconds / 1_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        let tenths = (milliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
