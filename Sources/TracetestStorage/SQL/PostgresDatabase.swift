import Logging
import PostgresNIO
import ServiceLifecycle

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

    package func read<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await body(PostgresExecutor(connection: connection, logger: logger, failure: nil))
        }
    }

    package func transaction<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
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
