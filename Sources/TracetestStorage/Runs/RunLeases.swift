/// Which server executes each unfinished run: a lease per run, held by one server (`owner`) until it expires. The
/// server renews its leases while it works on the runs and gives each up when the run ends; a lease that was not
/// renewed in time (its server died or lost the database) can be taken by another server, which then resumes the run.
/// Times are Unix milliseconds from the servers' clocks.
package struct RunLeases: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Takes the lease of the run for `owner` until `until`, unless another owner holds one that has not expired;
    /// true when `owner` holds it now.
    package func claim(testID: String, runID: Int, owner: String, now: Int64, until: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await !db.query(
                """
                INSERT INTO run_leases (test_id, run_id, owner, expires_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (test_id, run_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE run_leases.owner = excluded.owner OR run_leases.expires_at < $5
                RETURNING owner
                """,
                [.text(testID), .integer(Int64(runID)), .text(owner), .integer(until), .integer(now)]
            ).isEmpty
        }
    }

    /// Extends every lease `owner` holds to `until`; how many it holds.
    @discardableResult
    package func renew(owner: String, until: Int64) async throws -> Int {
        try await database.transaction { db in
            try await db.query(
                "UPDATE run_leases SET expires_at = $1 WHERE owner = $2 RETURNING run_id",
                [.integer(until), .text(owner)]
            ).count
        }
    }

    /// Gives up the run's lease, if `owner` holds it.
    package func release(testID: String, runID: Int, owner: String) async throws {
        try await database.transaction { db in
            try await db.execute(
                "DELETE FROM run_leases WHERE test_id = $1 AND run_id = $2 AND owner = $3",
                [.text(testID), .integer(Int64(runID)), .text(owner)])
        }
    }

    /// Gives up every lease, whoever holds it: for a database only this server uses.
    package func releaseAll() async throws {
        try await database.transaction { db in try await db.execute("DELETE FROM run_leases") }
    }

    /// The owner of the run's lease and when it expires, if it has one.
    package func holder(testID: String, runID: Int) async throws -> (owner: String, expiresAt: Int64)? {
        try await database.read { db in
            try await db.query(
                "SELECT owner, expires_at FROM run_leases WHERE test_id = $1 AND run_id = $2",
                [.text(testID), .integer(Int64(runID))]
            ).first.map { (try $0.string("owner"), try $0.int64("expires_at")) }
        }
    }
}
