import TracetestModel

/// A kind with exactly one record (`current`): data store, polling profile, config, analyzer, test runner.
/// Reads fall back to the built-in default until something is stored.
package struct SingletonRepository<Record: ResourceSpec>: Sendable {
    let database: any SQLDatabase
    let table: String
    let fallback: @Sendable () -> Record

    package init(database: any SQLDatabase, table: String, default fallback: @escaping @Sendable () -> Record) {
        self.database = database
        self.table = table
        self.fallback = fallback
    }

    /// The stored record, or the default.
    package func get() async throws -> Record {
        try await database.read { db in try await find(in: db) } ?? fallback()
    }

    /// Replaces the record; returns what is stored.
    package func replace(_ record: Record, now: Timestamp = .now()) async throws -> Record {
        try await database.transaction { db in try await replace(record, now: now, in: db) }
    }

    /// Replaces the record inside an open transaction (used by provisioning).
    package func replace(_ record: Record, now: Timestamp = .now(), in db: any SQLExecutor) async throws -> Record {
        var stored = record
        stored.prepareForSave(previous: try await find(in: db), now: now)
        try await db.execute(
            """
            INSERT INTO \(table) (id, updated_at, document) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, document = excluded.document
            """,
            [.text(ResourceKind.singletonID), SQLValue(now), .text(try StoredJSON.text(stored))]
        )
        return stored
    }

    /// Stores the default when nothing is stored yet, so values it takes from the clock (a creation time) stay fixed.
    package func storeDefaultIfMissing(now: Timestamp = .now(), in db: any SQLExecutor) async throws {
        if try await find(in: db) == nil { _ = try await replace(fallback(), now: now, in: db) }
    }

    private func find(in db: any SQLExecutor) async throws -> Record? {
        let rows = try await db.query("SELECT document FROM \(table) WHERE id = $1", [.text(ResourceKind.singletonID)])
        return try rows.first?.json(Record.self, "document")
    }
}
