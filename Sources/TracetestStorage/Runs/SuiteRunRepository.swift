import TracetestModel

/// Test suite runs; their step runs are test runs, referenced by test id and run id.
package struct SuiteRunRepository: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Stores a new suite run under the suite's next run number; returns it with its id.
    package func create(_ run: TestSuiteRun) async throws -> TestSuiteRun {
        try await database.transaction { db in
            var run = run
            run.id = try await RunNumbering.next(forSuite: run.testSuiteID, in: db)
            try await db.execute(
                """
                INSERT INTO test_suite_runs (id, test_suite_id, test_suite_version, created_at, state, pass, fail, document)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [
                    .integer(Int64(run.id)), .text(run.testSuiteID), .integer(Int64(run.version)),
                    SQLValue(run.createdAt), .text(run.state), .integer(Int64(run.pass)), .integer(Int64(run.fail)),
                    .text(try StoredJSON.text(TestSuiteRun.Stored(run))),
                ]
            )
            return run
        }
    }

    /// Replaces the stored suite run; false when it was deleted. With `leaseHolder`, the write is refused
    /// (`StorageError.leaseLost`) unless that server holds the suite run's lease (``RunLeases/suiteRunKey(_:)``).
    @discardableResult
    package func update(_ run: TestSuiteRun, leaseHolder: String? = nil) async throws -> Bool {
        try await database.transaction { db in
            try await RunLeases(database: database).require(
                testID: RunLeases.suiteRunKey(run.testSuiteID), runID: run.id, heldBy: leaseHolder, in: db)
            return
                !(try await db.query(
                    """
                    UPDATE test_suite_runs SET state = $3, pass = $4, fail = $5, document = $6
                    WHERE test_suite_id = $1 AND id = $2 RETURNING id
                    """,
                    [
                        .text(run.testSuiteID), .integer(Int64(run.id)), .text(run.state), .integer(Int64(run.pass)),
                        .integer(Int64(run.fail)), .text(try StoredJSON.text(TestSuiteRun.Stored(run))),
                    ]
                )).isEmpty
        }
    }

    /// The suite run without its step runs filled in (see `stepRunIDs`).
    package func get(testSuiteID: String, runID: Int) async throws -> TestSuiteRun? {
        try await database.read { db in
            try await db.query(
                "SELECT document FROM test_suite_runs WHERE test_suite_id = $1 AND id = $2",
                [.text(testSuiteID), .integer(Int64(runID))]
            ).first.map { try $0.json(TestSuiteRun.Stored.self, "document").run }
        }
    }

    /// The suite's runs, newest first.
    package func list(testSuiteID: String, take: Int, skip: Int) async throws -> Page<TestSuiteRun> {
        try await database.read { db in
            let page = try await db.page(
                "SELECT document FROM test_suite_runs WHERE test_suite_id = $1 ORDER BY created_at DESC, id DESC",
                count: "SELECT COUNT(*) AS count FROM test_suite_runs WHERE test_suite_id = $1", [.text(testSuiteID)],
                take: take, skip: skip)
            return Page(
                count: page.count, items: try page.rows.map { try $0.json(TestSuiteRun.Stored.self, "document").run })
        }
    }

    /// Suite runs that have not finished (after a restart, they must be resumed or ended).
    package func unfinished() async throws -> [TestSuiteRun] {
        try await database.read { db in
            try await db.query(
                "SELECT document FROM test_suite_runs WHERE state NOT IN ('FINISHED', 'FAILED') ORDER BY created_at"
            ).map { try $0.json(TestSuiteRun.Stored.self, "document").run }
        }
    }

    package func delete(testSuiteID: String, runID: Int) async throws -> Bool {
        try await database.transaction { db in
            !(try await db.query(
                "DELETE FROM test_suite_runs WHERE test_suite_id = $1 AND id = $2 RETURNING id",
                [.text(testSuiteID), .integer(Int64(runID))]
            )).isEmpty
        }
    }
}
