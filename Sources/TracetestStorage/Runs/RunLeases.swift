import TracetestModel

/// The run queue of the servers of one database: a lease per unfinished run, from its creation to its end, held by
/// the server that executes it (`owner`) until it expires. The server renews its leases while it works on the runs
/// and gives each up when the run ends. A lease that expired (its server died or lost the database) or that was
/// offered (its server had no free slot, or shut down) is a job any server may take, oldest run first.
/// Times are Unix milliseconds from the servers' clocks.
package struct RunLeases: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// A run the server took from the queue.
    package struct Taken: Equatable, Sendable {
        package var testID: String
        package var runID: Int
        /// Whether its lease had expired on another server (a takeover), rather than been offered.
        package var takenOver: Bool

        package init(testID: String, runID: Int, takenOver: Bool) {
            self.testID = testID
            self.runID = runID
            self.takenOver = takenOver
        }
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

    /// Takes up to `limit` jobs for `owner` until `until`: the unfinished runs whose leases expired before `now` or
    /// were offered, oldest run first. Servers taking at once get different runs (PostgreSQL skips the rows another
    /// transaction holds; SQLite has a single writer).
    package func take(owner: String, now: Int64, until: Int64, limit: Int) async throws -> [Taken] {
        guard limit > 0 else { return [] }
        let open = RunState.allCases.filter { !$0.isTerminal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let lock = database.dialect == .postgresql ? "FOR UPDATE OF l SKIP LOCKED" : ""
        return try await database.transaction { db in
            let jobs = try await db.query(
                """
                SELECT l.test_id, l.run_id, l.owner FROM run_leases l
                JOIN test_runs r ON r.test_id = l.test_id AND r.id = l.run_id
                WHERE l.expires_at < $1 AND r.state IN (\(open))
                ORDER BY r.created_at, l.run_id LIMIT $2 \(lock)
                """,
                [.integer(now), .integer(Int64(limit))]
            ).map { row in
                Taken(
                    testID: try row.string("test_id"), runID: Int(try row.int64("run_id")),
                    takenOver: try !row.string("owner").isEmpty)
            }
            for job in jobs {
                try await db.execute(
                    "UPDATE run_leases SET owner = $1, expires_at = $2 WHERE test_id = $3 AND run_id = $4",
                    [.text(owner), .integer(until), .text(job.testID), .integer(Int64(job.runID))])
            }
            return jobs
        }
    }

    /// How many jobs wait in the queue at `now`: unfinished runs whose leases expired or were offered.
    package func waiting(now: Int64) async throws -> Int {
        let open = RunState.allCases.filter { !$0.isTerminal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await database.read { db in
            Int(
                try await db.query(
                    """
                    SELECT count(*) AS jobs FROM run_leases l JOIN test_runs r ON r.test_id = l.test_id AND r.id = l.run_id
                    WHERE l.expires_at < $1 AND r.state IN (\(open))
                    """, [.integer(now)]
                ).first?.int64("jobs") ?? 0)
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

    /// Gives up the lease of a run that ended, if `owner` holds it.
    package func release(testID: String, runID: Int, owner: String) async throws {
        try await database.transaction { db in
            try await db.execute(
                "DELETE FROM run_leases WHERE test_id = $1 AND run_id = $2 AND owner = $3",
                [.text(testID), .integer(Int64(runID)), .text(owner)])
        }
    }

    /// Puts the run back in the queue, if `owner` holds its lease: any server may take it from `availableAt` on.
    package func offer(testID: String, runID: Int, owner: String, availableAt: Int64 = 0) async throws {
        try await database.transaction { db in
            try await db.execute(
                "UPDATE run_leases SET owner = '', expires_at = $4 WHERE test_id = $1 AND run_id = $2 AND owner = $3",
                [.text(testID), .integer(Int64(runID)), .text(owner), .integer(availableAt)])
        }
    }

    /// Puts every run `owner` holds back in the queue (a server shutting down), or with nil every run whoever holds
    /// it (a server alone on its database, starting: every lease is left from before). With `expiringBefore`, only
    /// the leases that expire before then (a server starting: the leases it took since are its own).
    package func offerAll(owner: String?, expiringBefore: Int64 = .max) async throws {
        try await database.transaction { db in
            try await db.execute(
                "UPDATE run_leases SET owner = '', expires_at = 0 WHERE expires_at < $1"
                    + (owner == nil ? "" : " AND owner = $2"),
                [.integer(expiringBefore)] + (owner.map { [SQLValue.text($0)] } ?? []))
        }
    }

    /// The lease key of a suite run: suite runs are never queued, only their server's liveness is leased.
    package static func suiteRunKey(_ suiteID: String) -> String { "testsuite:" + suiteID }

    /// Within a write's transaction: refuses the write (`StorageError.leaseLost`) unless `server` (when given) holds
    /// the run's lease, so a server whose run was taken over (it could not renew the lease in time) cannot overwrite
    /// what the new holder writes. On PostgreSQL the lease row stays locked until the write commits: a server taking
    /// runs skips it meanwhile.
    func require(testID: String, runID: Int, heldBy server: String?, in db: any SQLExecutor) async throws {
        guard let server else { return }
        let lock = database.dialect == .postgresql ? " FOR SHARE" : ""
        let held = try await db.query(
            "SELECT owner FROM run_leases WHERE test_id = $1 AND run_id = $2 AND owner = $3" + lock,
            [.text(testID), .integer(Int64(runID)), .text(server)])
        guard held.isEmpty else { return }
        let suitePrefix = Self.suiteRunKey("")
        let run =
            testID.hasPrefix(suitePrefix) ? "suite run \(testID.dropFirst(suitePrefix.count))" : "run \(testID)"
        throw StorageError(
            .leaseLost,
            "\(run)/\(runID) is no longer this server's (another server took it over, as this one had not renewed "
                + "its lease in time, or it was deleted): its writes to it are refused")
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
