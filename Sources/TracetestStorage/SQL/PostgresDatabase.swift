import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// A PostgreSQL database reached through a connection pool.
///
/// Its ``run()`` must be running (e.g. in a `ServiceGroup`) for ``read(_:)`` and ``transaction(_:)`` to get
/// connections; it runs until graceful shutdown or cancellation, then closes the connections.
package final class PostgresDatabase: SQLDatabase, Service {
    package let settings: PostgresConnectionSettings
    private let client: PostgresClient
    private let logger: Logger

    package var dialect: SQLDialect { .postgresql }

    package init(settings: PostgresConnectionSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        client = PostgresClient(
            configuration: settings.clientConfiguration(), backgroundLogger: logger)
    }

    package func run() async throws {
        await client.run()
    }

    /// Until cancelled, calls `handle` with the payload of every `NOTIFY` on `channel` (from any session of the
    /// database), on a connection of its own; a lost connection is logged and listened on again, with backoff.
    package func follow(_ channel: String, _ handle: @Sendable (String) async -> Void) async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        for try await notification in notifications { await handle(notification.payload) }
                    }
                }
                delay = .seconds(1)
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "cannot listen on \(channel) at \(settings.endpoint) (again in \(delay)): \(PostgresErrors.reason(error))"
                )
            }
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            delay = min(delay * 2, .seconds(30))
        }
    }

    /// Sends `payload` to every session listening on `channel` (`pg_notify`).
    package func notify(_ channel: String, _ payload: String) async throws {
        try await transaction { db in
            try await db.execute("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
        }
    }

    /// Runs `body` on a pooled connection; when none is leased within the settings' `connectionWait` (the server is down or
    /// unreachable, say), gives up with an ``StorageError/Code/unreachable`` error instead of waiting on.
    private func withConnection<R: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> R) async throws
        -> R
    {
        let lease = LeaseRace()
        let gaveUp = StorageError(
            .unreachable,
            "no connection to PostgreSQL at \(settings.endpoint) within \(settings.connectionWait.components.seconds)s")
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: R?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        // A connection that comes after the wait gave up is not used: the caller was told it failed.
                        guard lease.leased() else { throw gaveUp }
                        return try await self.bounded(body, on: connection)
                    }
                }
                group.addTask {
                    try await Self.sleep(
                        for: self.settings.connectionWait, on: PostgresClient.defaultEventLoopGroup.any())
                    guard lease.gaveUp() else { return nil }
                    throw gaveUp
                }
                while let next = try await group.next() {
                    if let next {
                        group.cancelAll()
                        return next
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// Sleeps for `duration`, or throws `CancellationError` as soon as the task is cancelled, leaving nothing behind.
    /// `Task.sleep` keeps a cancelled sleep's timer (and its memory) until the deadline, so a timer raced against
    /// every statement (`connectionWait`, `workLimit`) held about 100 MiB at a few thousand statements a second.
    static func sleep(for duration: Duration, on eventLoop: any EventLoop) async throws {
        let (seconds, attoseconds) = duration.components
        let timer = eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {}
        do {
            try await withTaskCancellationHandler {
                try await timer.futureResult.get()
            } onCancel: {
                timer.cancel()
            }
        } catch {
            throw CancellationError()
        }
    }

    /// `body` on `connection`, which is closed when `body` has not finished within the settings' `workLimit`, so
    /// that a statement the server never answers fails instead of hanging its caller (and shutdown) for good.
    private func bounded<R: Sendable>(
        _ body: @Sendable (PostgresConnection) async throws -> R, on connection: PostgresConnection
    ) async throws -> R {
        let limit = settings.workLimit
        return try await withoutActuallyEscaping(body) { body in
            try await withThrowingTaskGroup(of: R?.self) { group in
                group.addTask { try await body(connection) }
                group.addTask {
                    try await Self.sleep(for: limit, on: connection.eventLoop)
                    self.logger.warning(
                        "PostgreSQL at \(self.settings.endpoint) did not answer within \(limit): closing the connection"
                    )
                    try? await connection.close()
                    return nil
                }
                // The body's value, or its error (after a close, the connection's); the timer only closes.
                while let next = try await group.next() {
                    if let next {
                        group.cancelAll()
                        return next
                    }
                }
                throw StorageError(
                    .unreachable,
                    "PostgreSQL at \(settings.endpoint) did not answer within \(limit.components.seconds)s")
            }
        }
    }

    package func read<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await withConnection { connection in
            try await body(PostgresExecutor(connection: connection, logger: logger, failure: nil))
        }
    }

    package func transaction<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await withConnection { connection in
            let failure = TransactionFailure()
            let executor = PostgresExecutor(connection: connection, logger: logger, failure: failure)
            try await executor.execute("BEGIN")
            let result: R
            do {
                result = try await body(executor)
            } catch {
                await rollback(executor)
                throw error
            }
            if let failed = failure.error {
                await rollback(executor)
                throw StorageError(
                    .transactionAborted,
                    "PostgreSQL rolled the transaction back because a statement in it failed (\(failed.message)); "
                        + "a failed statement must end the transaction (use ON CONFLICT to tolerate duplicates)",
                    sql: failed.sql)
            }
            try await executor.execute("COMMIT")
            return result
        }
    }

    private func rollback(_ executor: PostgresExecutor) async {
        do { try await executor.execute("ROLLBACK") } catch {
            logger.warning("PostgreSQL rollback failed", metadata: ["error": "\(error)"])
        }
    }
}

/// The race between a connection being leased and the wait for it giving up: whichever comes first wins.
private final class LeaseRace: Sendable {
    private static let waiting = 0
    private static let leasedFirst = 1
    private static let gaveUpFirst = 2

    private let state = Atomic<Int>(LeaseRace.waiting)

    /// True when the connection came before the wait gave up.
    func leased() -> Bool {
        state.compareExchange(expected: Self.waiting, desired: Self.leasedFirst, ordering: .acquiringAndReleasing)
            .original != Self.gaveUpFirst
    }

    /// True when the wait gave up before a connection came.
    func gaveUp() -> Bool {
        state.compareExchange(expected: Self.waiting, desired: Self.gaveUpFirst, ordering: .acquiringAndReleasing)
            .original != Self.leasedFirst
    }
}
