import TracetestModel

/// Test runs: the run document (state, results), its final trace, and its events.
package struct RunRepository: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Stores a new run under the next run number of its test; returns it with its id.
    package func create(_ run: TestRun) async throws -> TestRun {
        try await database.transaction { db in
            var run = run
            run.id = try await RunNumbering.next(forTest: run.testID, in: db)
            try await db.execute(
                """
                INSERT INTO test_runs (id, test_id, test_version, created_at, state, pass, fail, trace_id, document)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [
                    .integer(Int64(run.id)), .text(run.testID), .integer(Int64(run.testVersion)),
                    SQLValue(run.createdAt), .text(run.state.rawValue), .integer(Int64(run.passCount)),
                    .integer(Int64(run.failCount)), .text(run.traceID.hex),
                    .text(try StoredJSON.text(TestRun.Stored(run))),
                ]
            )
            return run
        }
    }

    /// Replaces the stored run (its trace is stored apart, with ``saveTrace(_:of:)``); false when it was deleted.
    @discardableResult
    package func update(_ run: TestRun) async throws -> Bool {
        try await database.transaction { db in
            !(try await db.query(
                """
                UPDATE test_runs SET state = $3, pass = $4, fail = $5, trace_id = $6, document = $7
                WHERE test_id = $1 AND id = $2 RETURNING id
                """,
                [
                    .text(run.testID), .integer(Int64(run.id)), .text(run.state.rawValue),
                    .integer(Int64(run.passCount)), .integer(Int64(run.failCount)), .text(run.traceID.hex),
                    .text(try StoredJSON.text(TestRun.Stored(run))),
                ]
            )).isEmpty
        }
    }

    package func get(testID: String, runID: Int) async throws -> TestRun? {
        try await database.read { db in
            try await db.query(
                "SELECT document FROM test_runs WHERE test_id = $1 AND id = $2",
                [.text(testID), .integer(Int64(runID))]
            ).first.map(Self.run(from:))
        }
    }

    /// The test's runs, newest first, and how many there are.
    package func list(testID: String, take: Int, skip: Int) async throws -> Page<TestRun> {
        try await database.read { db in
            let count = try await db.query(
                "SELECT COUNT(*) AS count FROM test_runs WHERE test_id = $1", [.text(testID)])
            let rows = try await db.query(
                """
                SELECT document FROM test_runs WHERE test_id = $1
                ORDER BY created_at DESC, id DESC LIMIT \(take) OFFSET \(skip)
                """,
                [.text(testID)]
            )
            return Page(count: try count.first?.int("count") ?? 0, items: try rows.map(Self.run(from:)))
        }
    }

    /// The newest run of a test version, for the default values of missing variables.
    package func latest(testID: String, version: Int) async throws -> TestRun? {
        try await database.read { db in
            try await db.query(
                """
                SELECT document FROM test_runs WHERE test_id = $1 AND test_version = $2
                ORDER BY created_at DESC, id DESC LIMIT 1
                """,
                [.text(testID), .integer(Int64(version))]
            ).first.map(Self.run(from:))
        }
    }

    /// Runs that have not reached a terminal state (after a restart, they must be resumed or ended).
    package func unfinished() async throws -> [TestRun] {
        let open = RunState.allCases.filter { !$0.isTerminal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await database.read { db in
            try await db.query("SELECT document FROM test_runs WHERE state IN (\(open)) ORDER BY created_at")
                .map(Self.run(from:))
        }
    }

    /// Removes the run, its trace and its events; false when there was no such run.
    package func delete(testID: String, runID: Int) async throws -> Bool {
        try await database.transaction { db in
            let binds: [SQLValue] = [.text(testID), .integer(Int64(runID))]
            let deleted = try await db.query(
                "DELETE FROM test_runs WHERE test_id = $1 AND id = $2 RETURNING id", binds)
            guard !deleted.isEmpty else { return false }
            try await db.execute("DELETE FROM test_run_traces WHERE test_id = $1 AND run_id = $2", binds)
            try await db.execute("DELETE FROM test_run_events WHERE test_id = $1 AND run_id = $2", binds)
            return true
        }
    }

    /// Stores the run's final trace (its spans, in any order).
    package func saveTrace(_ spans: [Span], of run: TestRun) async throws {
        let encoded = SpanCodec.encode(spans)
        try await database.transaction { db in
            try await db.execute(
                """
                INSERT INTO test_run_traces (test_id, run_id, spans) VALUES ($1, $2, $3)
                ON CONFLICT (test_id, run_id) DO UPDATE SET spans = excluded.spans
                """,
                [.text(run.testID), .integer(Int64(run.id)), .blob(encoded)]
            )
        }
    }

    /// The run's final trace spans, if it has one.
    package func trace(testID: String, runID: Int) async throws -> [Span]? {
        let rows = try await database.read { db in
            try await db.query(
                "SELECT spans FROM test_run_traces WHERE test_id = $1 AND run_id = $2",
                [.text(testID), .integer(Int64(runID))]
            )
        }
        return try rows.first.map { try SpanCodec.decode(try $0.bytes("spans")) }
    }

    /// Appends an event to the run's history.
    package func append(_ event: RunEvent) async throws {
        try await database.transaction { db in
            try await db.execute(
                "INSERT INTO test_run_events (test_id, run_id, created_at, document) VALUES ($1, $2, $3, $4)",
                [
                    .text(event.testID), .integer(Int64(event.runID)), SQLValue(event.createdAt),
                    .text(try StoredJSON.text(event)),
                ]
            )
        }
    }

    /// The run's events in the order they happened.
    package func events(testID: String, runID: Int) async throws -> [RunEvent] {
        try await database.read { db in
            try await db.query(
                "SELECT document FROM test_run_events WHERE test_id = $1 AND run_id = $2 ORDER BY id",
                [.text(testID), .integer(Int64(runID))]
            ).map { try $0.json(RunEvent.self, "document") }
        }
    }

    private static func run(from row: SQLRow) throws -> TestRun {
        try row.json(TestRun.Stored.self, "document").run
    }
}
