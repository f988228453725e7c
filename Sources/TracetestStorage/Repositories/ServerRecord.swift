import TracetestModel

/// This installation: its id, and whether it is new.
package struct ServerRecord: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// The installation id, or nil before the first start completed.
    package func serverID() async throws -> String? {
        try await database.read { db in try await db.query("SELECT id FROM server").first?.string("id") }
    }

    /// Records a new installation with a random id, running `setUp` (provisioning) in the same transaction, so a
    /// failed set-up leaves the database a new installation. Returns nil when the installation already existed. Of
    /// several servers starting at once on one PostgreSQL database, exactly one installs (the others wait for its
    /// transaction on the advisory lock, then find the installation).
    package func install<R: Sendable>(
        now: Timestamp = .now(),
        setUp: @Sendable (any SQLExecutor) async throws -> R
    ) async throws -> (serverID: String, result: R)? {
        try await database.transaction { db in
            try await Migrator.lock(db)
            guard try await db.query("SELECT id FROM server").isEmpty else { return nil }
            let result = try await setUp(db)
            let id = String((0..<10).map { _ in "0123456789abcdef".randomElement()! })
            try await db.execute("INSERT INTO server (id, created_at) VALUES ($1, $2)", [.text(id), SQLValue(now)])
            return (id, result)
        }
    }
}

/// The web UI's getting-started progress (one record).
package struct WizardRepository: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// The stored progress, or every step pending.
    package func get() async throws -> Wizard {
        try await database.read { db in
            try await db.query("SELECT document FROM wizards WHERE id = $1", [.text(ResourceKind.singletonID)])
                .first?.json(Wizard.self, "document")
        } ?? .initial
    }

    package func save(_ wizard: Wizard, now: Timestamp = .now()) async throws -> Wizard {
        try await database.transaction { db in
            try await db.execute(
                """
                INSERT INTO wizards (id, updated_at, document) VALUES ($1, $2, $3)
                ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, document = excluded.document
                """,
                [.text(ResourceKind.singletonID), SQLValue(now), .text(try StoredJSON.text(wizard))]
            )
        }
        return wizard
    }
}
