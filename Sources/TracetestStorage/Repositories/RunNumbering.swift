/// Run numbers per test and per suite: 1, 2, 3, … in creation order. Deleting a test restarts its numbering
/// (a re-created test id starts again at 1), as Tracetest's per-test sequences do.
package enum RunNumbering {
    /// The next run number of the test, taken inside the caller's transaction.
    package static func next(forTest testID: String, in db: any SQLExecutor) async throws -> Int {
        try await next(table: "test_run_sequences", owner: "test_id", id: testID, in: db)
    }

    /// The next run number of the suite, taken inside the caller's transaction.
    package static func next(forSuite suiteID: String, in db: any SQLExecutor) async throws -> Int {
        try await next(table: "test_suite_run_sequences", owner: "test_suite_id", id: suiteID, in: db)
    }

    private static func next(table: String, owner: String, id: String, in db: any SQLExecutor) async throws -> Int {
        let rows = try await db.query(
            """
            INSERT INTO \(table) (\(owner), last_id) VALUES ($1, 1)
            ON CONFLICT (\(owner)) DO UPDATE SET last_id = \(table).last_id + 1
            RETURNING last_id
            """,
            [.text(id)]
        )
        guard let row = rows.first else {
            throw StorageError(.statementFailed, "the run number of \(id) was not returned", sql: table)
        }
        return try row.int("last_id")
    }
}
