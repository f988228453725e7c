import Logging

/// Brings a database schema up to date, recording applied versions in `schema_migrations(version, name, applied_at)`.
package enum Migrator {
    /// The PostgreSQL advisory lock key ("tracetst") that serialises migrations and installation across servers.
    static let lockKey: Int64 = 0x7472_6163_6574_7374

    /// Applies each pending migration in its own transaction, in version order.
    ///
    /// Safe when several servers start at once (on PostgreSQL each migration transaction holds an advisory lock
    /// and re-checks what is applied). Throws ``StorageError/Code/schemaTooNew`` when the database has a version
    /// newer than any in `migrations`.
    package static func migrate(_ database: any SQLDatabase, _ migrations: [Migration], logger: Logger) async throws {
        let migrations = try validated(migrations)
        let latestKnown = migrations.last?.version ?? 0
        let applied = try await database.transaction { executor in
            try await lock(executor)
            try await executor.execute(createTable(executor.dialect))
            return try await appliedVersions(executor)
        }
        if let newest = applied.max(), newest > latestKnown {
            throw StorageError(
                .schemaTooNew,
                "the database schema is at version \(newest), newer than this tracetest knows (\(latestKnown)): "
                    + "it was used by a newer tracetest. Upgrade tracetest, or point it at another database.")
        }
        var count = 0
        for migration in migrations where !applied.contains(migration.version) {
            let didApply = try await database.transaction { executor in
                try await lock(executor)
                guard try await !appliedVersions(executor).contains(migration.version) else { return false }
                for statement in migration.statements(for: executor.dialect) {
                    try await executor.execute(statement)
                }
                try await executor.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [.integer(Int64(migration.version)), .text(migration.name)])
                return true
            }
            if didApply {
                count += 1
                logger.info("Applied database migration \(migration.version) (\(migration.name))")
            }
        }
        logger.info(
            "Database schema is up to date",
            metadata: [
                "version": "\(latestKnown)", "applied": "\(count)", "db.system": "\(database.dialect.systemName)",
            ])
    }

    private static func validated(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw StorageError(.invalidMigrations, "two migrations have version \(next.version)")
        }
        if let first = sorted.first, first.version < 1 {
            throw StorageError(.invalidMigrations, "migration versions start at 1, found \(first.version)")
        }
        return sorted
    }

    /// Holds the advisory lock of migrations and installation until the transaction of `executor` ends (PostgreSQL;
    /// SQLite's transactions are serial already).
    package static func lock(_ executor: any SQLExecutor) async throws {
        if executor.dialect == .postgresql {
            try await executor.execute("SELECT pg_advisory_xact_lock($1)", [.integer(lockKey)])
        }
    }

    private static func createTable(_ dialect: SQLDialect) -> String {
        let appliedAt =
            switch dialect {
            case .sqlite: "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
            case .postgresql: "TIMESTAMPTZ NOT NULL DEFAULT now()"
            }
        return """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at \(appliedAt)
            )
            """
    }

    private static func appliedVersions(_ executor: any SQLExecutor) async throws -> Set<Int> {
        Set(try await executor.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
    }
}
