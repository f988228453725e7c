import TracetestModel

package typealias TestRepository = VersionedRepository<TestsTable>
package typealias TestSuiteRepository = VersionedRepository<TestSuitesTable>

/// `tests`: one row per version; trigger, specs and outputs as JSON.
package enum TestsTable: VersionedTable {
    package static let table = "tests"
    package static let columns =
        "id, version, name, description, service_under_test, specs, outputs, skip_trace_collection, created_at"
    package static let runs = (table: "test_runs", ownerColumn: "test_id")
    package static let cleanup = [
        "DELETE FROM test_runs WHERE test_id = $1",
        "DELETE FROM test_run_traces WHERE test_id = $1",
        "DELETE FROM test_run_details WHERE test_id = $1",
        "DELETE FROM test_run_events WHERE test_id = $1",
        "DELETE FROM run_leases WHERE test_id = $1",
        "DELETE FROM test_run_sequences WHERE test_id = $1",
        "DELETE FROM test_suite_steps WHERE test_id = $1",
    ]

    package static func insert(_ test: Test, version: Int, createdAt: Timestamp, in db: any SQLExecutor) async throws {
        try await db.execute(
            "INSERT INTO tests (\(columns), is_latest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE)",
            [
                .text(test.id), .integer(Int64(version)), .text(test.name), .text(test.description),
                .text(try StoredJSON.text(test.trigger)), .text(try StoredJSON.text(test.specs)),
                .text(try StoredJSON.text(test.outputs)), .bool(test.skipTraceCollection), SQLValue(createdAt),
            ]
        )
    }

    package static func record(from row: SQLRow, in db: any SQLExecutor) async throws -> Test {
        Test(
            id: try row.string("id"),
            createdAt: try row.timestamp("created_at"),
            name: try row.string("name"),
            description: try row.string("description"),
            version: try row.int("version"),
            trigger: try row.json(Trigger.self, "service_under_test"),
            specs: try row.json([TestSpec].self, "specs"),
            outputs: try row.json([TestOutput].self, "outputs"),
            skipTraceCollection: try row.bool("skip_trace_collection")
        )
    }
}

/// `test_suites` (one row per version) and `test_suite_steps` (the ordered test ids of each version).
package enum TestSuitesTable: VersionedTable {
    package static let table = "test_suites"
    package static let columns = "id, version, name, description, created_at"
    package static let runs = (table: "test_suite_runs", ownerColumn: "test_suite_id")
    package static let cleanup = [
        "DELETE FROM test_suite_steps WHERE test_suite_id = $1",
        "DELETE FROM test_suite_runs WHERE test_suite_id = $1",
        "DELETE FROM test_suite_run_sequences WHERE test_suite_id = $1",
    ]

    package static func insert(_ suite: TestSuite, version: Int, createdAt: Timestamp, in db: any SQLExecutor)
        async throws
    {
        try await db.execute(
            "INSERT INTO test_suites (\(columns), is_latest) VALUES ($1, $2, $3, $4, $5, TRUE)",
            [
                .text(suite.id), .integer(Int64(version)), .text(suite.name), .text(suite.description),
                SQLValue(createdAt),
            ]
        )
        // Many rows per statement, so that a suite of many steps takes few round trips.
        let batch = 500
        for start in stride(from: 0, to: suite.steps.count, by: batch) {
            let steps = suite.steps[start..<min(start + batch, suite.steps.count)]
            let rows = steps.indices.map { index in
                let first = (index - start) * 2 + 3
                return "($1, $2, $\(first), $\(first + 1))"
            }
            var values: [SQLValue] = [.text(suite.id), .integer(Int64(version))]
            for (index, testID) in zip(steps.indices, steps) {
                values += [.integer(Int64(index)), .text(testID)]
            }
            try await db.execute(
                "INSERT INTO test_suite_steps (test_suite_id, test_suite_version, step_number, test_id) VALUES "
                    + rows.joined(separator: ", "),
                values
            )
        }
    }

    package static func record(from row: SQLRow, in db: any SQLExecutor) async throws -> TestSuite {
        let id = try row.string("id")
        let version = try row.int("version")
        let steps = try await db.query(
            """
            SELECT test_id FROM test_suite_steps WHERE test_suite_id = $1 AND test_suite_version = $2
            ORDER BY step_number
            """,
            [.text(id), .integer(Int64(version))]
        )
        return TestSuite(
            id: id,
            createdAt: try row.timestamp("created_at"),
            name: try row.string("name"),
            description: try row.string("description"),
            version: version,
            steps: try steps.map { try $0.string("test_id") }
        )
    }
}
