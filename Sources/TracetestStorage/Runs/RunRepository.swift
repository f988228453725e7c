import TracetestConcurrency
import TracetestModel

/// Test runs: the run's row (its list form: state, results without span results), its details (span results, the
/// analyzer's result, the JUnit report and the trace as the text the API sends), its final trace's spans, and its
/// events.
package struct RunRepository: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Stores a new run under the next run number of its test, with its details (a trace left by a deleted run of
    /// the same number is dropped) and, when given, its lease (``RunLeases``); returns it with its id.
    package func create(_ run: TestRun, leasedTo lease: (owner: String, until: Int64)? = nil) async throws -> TestRun {
        let details = try Self.details(of: run)
        let listed = run.listed
        return try await database.transaction { db in
            var run = run
            run.id = try await RunNumbering.next(forTest: run.testID, in: db)
            var stored = listed
            stored.id = run.id
            try await db.execute(
                """
                INSERT INTO test_runs (id, test_id, test_version, created_at, state, pass, fail, trace_id, document)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [
                    .integer(Int64(run.id)), .text(run.testID), .integer(Int64(run.testVersion)),
                    SQLValue(run.createdAt), .text(run.state.rawValue), .integer(Int64(run.passCount)),
                    .integer(Int64(run.failCount)), .text(run.traceID.hex),
                    .text(try StoredJSON.text(TestRun.Stored(stored))),
                ]
            )
            try await Self.write(details, replacing: .all, dropsTrace: true, of: run, in: db)
            if let lease {
                try await db.execute(
                    "INSERT INTO run_leases (test_id, run_id, owner, expires_at) VALUES ($1, $2, $3, $4)",
                    [.text(run.testID), .integer(Int64(run.id)), .text(lease.owner), .integer(lease.until)])
            }
            return run
        }
    }

    /// Replaces the stored run and the `parts` of its details that changed (its trace is stored apart, with
    /// ``saveTrace(_:document:of:)``); false when it was deleted. The pass and fail counts are taken from the results
    /// when they are among the parts (a run read with ``get(testID:runID:)`` has no span results to count). A run
    /// stored before details were kept apart gets its details from `run` (read with everything in its row).
    /// With `leaseHolder`, the write is refused (`StorageError.leaseLost`) unless that server holds the run's lease.
    @discardableResult
    package func update(
        _ run: TestRun, details parts: RunDetails.Parts = [], leaseHolder: String? = nil
    ) async throws -> Bool {
        let (document, details) = try await ComputePool.shared.run {
            (try StoredJSON.text(TestRun.Stored(run.listed)), try Self.details(of: run))
        }
        return try await database.transaction { db in
            try await RunLeases(database: database).require(
                testID: run.testID, runID: run.id, heldBy: leaseHolder, in: db)
            var binds: [SQLValue] = [
                .text(run.testID), .integer(Int64(run.id)), .text(run.state.rawValue), .text(run.traceID.hex),
                .text(document),
            ]
            var counts = ""
            if parts.contains(.result) {
                counts = ", pass = $6, fail = $7"
                binds += [.integer(Int64(run.passCount)), .integer(Int64(run.failCount))]
            }
            let updated = try await db.query(
                """
                UPDATE test_runs SET state = $3, trace_id = $4, document = $5\(counts)
                WHERE test_id = $1 AND id = $2 RETURNING id
                """,
                binds
            )
            guard !updated.isEmpty else { return false }
            try await Self.write(details, replacing: parts, of: run, in: db)
            return true
        }
    }

    /// The run's details as text (the trace is not among them: it is written with the spans).
    private static func details(of run: TestRun) throws -> RunDetails {
        RunDetails(result: run.result?.jsonText, linter: run.linter?.jsonText, junit: run.junitReport)
    }

    /// Inserts the details of `run` when it has none yet, else replaces the `parts` given (and with `dropsTrace`,
    /// the trace a deleted run of the same number left).
    private static func write(
        _ details: RunDetails, replacing parts: RunDetails.Parts, dropsTrace: Bool = false, of run: TestRun,
        in db: any SQLExecutor
    ) async throws {
        var columns = [(RunDetails.Parts.result, "result"), (.linter, "linter"), (.junit, "junit")].filter {
            parts.contains($0.0)
        }.map(\.1)
        if dropsTrace { columns.append("trace") }
        let conflict =
            columns.isEmpty
            ? "DO NOTHING" : "DO UPDATE SET " + columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try await db.execute(
            """
            INSERT INTO test_run_details (test_id, run_id, result, linter, junit, trace) VALUES ($1, $2, $3, $4, $5, NULL)
            ON CONFLICT (test_id, run_id) \(conflict)
            """,
            [
                .text(run.testID), .integer(Int64(run.id)), details.result.map(SQLValue.text) ?? .null,
                details.linter.map(SQLValue.text) ?? .null, details.junit.map(SQLValue.text) ?? .null,
            ]
        )
    }

    /// The run with its details: every span result, the analyzer's whole result (as raw JSON) and the JUnit report.
    package func getWithDetails(testID: String, runID: Int) async throws -> TestRun? {
        guard var run = try await get(testID: testID, runID: runID) else { return nil }
        guard let details = try await details(testID: testID, runID: runID, parts: [.result, .linter, .junit]) else {
            return run
        }
        run.linterSummary = run.linter
        if let result = details.result {
            run.result = try await ComputePool.shared.run {
                try StoredJSON.value(AssertionResults.self, from: result, column: "result")
            }
        }
        if let linter = details.linter { run.linter = .raw(linter) }
        run.junitReport = details.junit
        return run
    }

    /// The `parts` of the run's details as stored (nil when it has none: it was stored before details were kept
    /// apart, with everything in its row). Each text is read on a connection of its own, all at once.
    package func details(
        testID: String, runID: Int, parts: RunDetails.Parts = [.result, .linter, .junit, .trace]
    ) async throws -> RunDetails? {
        let binds: [SQLValue] = [.text(testID), .integer(Int64(runID))]
        // The column's text: `.some(nil)` when it is NULL or not asked for, nil when the run has no details.
        func column(_ name: String, _ part: RunDetails.Parts) async throws -> String?? {
            guard parts.contains(part) else { return .some(nil) }
            return try await database.read { db in
                try await db.query("SELECT \(name) FROM test_run_details WHERE test_id = $1 AND run_id = $2", binds)
                    .first.map { try $0.optionalString(name) }
            }
        }
        async let result = column("result", .result)
        async let linter = column("linter", .linter)
        async let junit = column("junit", .junit)
        async let trace = column("trace", .trace)
        let columns = try await [result, linter, junit, trace]
        guard !columns.contains(where: { $0 == nil }) else { return nil }
        return RunDetails(
            result: columns[0] ?? nil, linter: columns[1] ?? nil, junit: columns[2] ?? nil, trace: columns[3] ?? nil)
    }

    /// The run as its row stores it (``TestRun/listed``: no span results, no JUnit report; ``details(testID:runID:)``
    /// has them).
    package func get(testID: String, runID: Int) async throws -> TestRun? {
        try await database.read { db in
            try await db.query(
                "SELECT document FROM test_runs WHERE test_id = $1 AND id = $2",
                [.text(testID), .integer(Int64(runID))]
            ).first.map(Self.run(from:))
        }
    }

    /// The test's runs as lists show them (``TestRun/listed``), newest first, and how many there are.
    package func list(testID: String, take: Int, skip: Int) async throws -> Page<TestRun> {
        try await database.read { db in
            let page = try await db.page(
                "SELECT document FROM test_runs WHERE test_id = $1 ORDER BY created_at DESC, id DESC",
                count: "SELECT COUNT(*) AS count FROM test_runs WHERE test_id = $1", [.text(testID)], take: take,
                skip: skip)
            return Page(count: page.count, items: try page.rows.map(Self.run(from:)))
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

    /// Removes the run, its trace, its events and its lease; false when there was no such run.
    package func delete(testID: String, runID: Int) async throws -> Bool {
        try await database.transaction { db in
            let binds: [SQLValue] = [.text(testID), .integer(Int64(runID))]
            let deleted = try await db.query(
                "DELETE FROM test_runs WHERE test_id = $1 AND id = $2 RETURNING id", binds)
            guard !deleted.isEmpty else { return false }
            try await db.execute("DELETE FROM test_run_traces WHERE test_id = $1 AND run_id = $2", binds)
            try await db.execute("DELETE FROM test_run_details WHERE test_id = $1 AND run_id = $2", binds)
            try await db.execute("DELETE FROM test_run_events WHERE test_id = $1 AND run_id = $2", binds)
            try await db.execute("DELETE FROM run_leases WHERE test_id = $1 AND run_id = $2", binds)
            return true
        }
    }

    /// Stores the run's final trace: its spans (in any order) and `document`, its wire form (the API sends it as
    /// it is). Nothing is stored for a run that was deleted; `leaseHolder` as in ``update(_:details:leaseHolder:)``.
    package func saveTrace(
        _ spans: [Span], document: String, of run: TestRun, leaseHolder: String? = nil
    ) async throws {
        let encoded = await ComputePool.shared.run { SpanCodec.encode(spans) }
        let binds: [SQLValue] = [.text(run.testID), .integer(Int64(run.id))]
        try await database.transaction { db in
            try await RunLeases(database: database).require(
                testID: run.testID, runID: run.id, heldBy: leaseHolder, in: db)
            let exists = try await db.query("SELECT id FROM test_runs WHERE test_id = $1 AND id = $2", binds)
            guard !exists.isEmpty else { return }
            try await db.execute(
                """
                INSERT INTO test_run_traces (test_id, run_id, spans) VALUES ($1, $2, $3)
                ON CONFLICT (test_id, run_id) DO UPDATE SET spans = excluded.spans
                """,
                binds + [.blob(encoded)]
            )
            try await db.execute(
                """
                INSERT INTO test_run_details (test_id, run_id, trace) VALUES ($1, $2, $3)
                ON CONFLICT (test_id, run_id) DO UPDATE SET trace = excluded.trace
                """,
                binds + [.text(document)]
            )
        }
    }

    /// Gives `run` the trace of run `source` of the same test (a rerun): its spans and its wire form.
    package func copyTrace(from source: Int, to run: TestRun) async throws {
        let binds: [SQLValue] = [.text(run.testID), .integer(Int64(source)), .integer(Int64(run.id))]
        try await database.transaction { db in
            try await db.execute(
                """
                INSERT INTO test_run_traces (test_id, run_id, spans)
                SELECT test_id, $3, spans FROM test_run_traces WHERE test_id = $1 AND run_id = $2
                ON CONFLICT (test_id, run_id) DO UPDATE SET spans = excluded.spans
                """,
                binds)
            try await db.execute(
                """
                INSERT INTO test_run_details (test_id, run_id, trace)
                SELECT test_id, $3, trace FROM test_run_details WHERE test_id = $1 AND run_id = $2
                ON CONFLICT (test_id, run_id) DO UPDATE SET trace = excluded.trace
                """,
                binds)
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
        guard let encoded = try rows.first?.bytes("spans") else { return nil }
        return try await ComputePool.shared.run { try SpanCodec.decode(encoded) }
    }

    /// Appends an event to the run's history; `leaseHolder` as in ``update(_:details:leaseHolder:)``.
    package func append(_ event: RunEvent, leaseHolder: String? = nil) async throws {
        try await database.transaction { db in
            try await RunLeases(database: database).require(
                testID: event.testID, runID: event.runID, heldBy: leaseHolder, in: db)
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

/// The heavy parts of a run, kept apart from its row as the text the API sends: the assertion results with every span
/// result (JSON), the analyzer's result (JSON), the JUnit report (XML) and the trace (JSON, written with
/// ``RunRepository/saveTrace(_:document:of:)``).
package struct RunDetails: Sendable, Equatable {
    package var result: String?
    package var linter: String?
    package var junit: String?
    package var trace: String?

    package init(result: String? = nil, linter: String? = nil, junit: String? = nil, trace: String? = nil) {
        self.result = result
        self.linter = linter
        self.junit = junit
        self.trace = trace
    }

    /// Which details a write of the run replaces (the trace is written with the spans).
    package struct Parts: OptionSet, Sendable {
        package let rawValue: Int
        package init(rawValue: Int) { self.rawValue = rawValue }

        package static let result = Parts(rawValue: 1)
        package static let linter = Parts(rawValue: 2)
        package static let junit = Parts(rawValue: 4)
        /// Only for reads: the trace is written with ``RunRepository/saveTrace(_:document:of:)``.
        package static let trace = Parts(rawValue: 8)
        /// Every part a run write replaces.
        package static let all: Parts = [.result, .linter, .junit]
    }
}
