import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestStorage

@Suite("SQL database")
struct SQLDatabaseTests {
    struct Boom: Error, Equatable {}

    @Test(arguments: TestBackend.allCases)
    func roundTripsEveryValueType(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { sql in
                try await sql.execute(
                    "CREATE TABLE vals (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, b BOOLEAN, n TEXT)"
                )
                try await sql.execute(
                    "INSERT INTO vals (id, i, r, t, b, n) VALUES ($1, $2, $3, $4, $5, $6)",
                    [1, .integer(.max), .real(-3.25), .text("héllo 'quoted' $1 ✓"), .bool(true), .null])
                try await sql.execute(
                    "INSERT INTO vals (id, i, r, t, b, n) VALUES ($1, $2, $3, $4, $5, $6)",
                    [2, .integer(.min), .real(0), .text(""), .bool(false), SQLValue(String?.none)])
            }
            let rows = try await db.read { try await $0.query("SELECT id, i, r, t, b, n FROM vals ORDER BY id") }
            try #require(rows.count == 2)
            #expect(try rows[0].int64("i") == .max)
            #expect(try rows[0].double("r") == -3.25)
            #expect(try rows[0].string("t") == "héllo 'quoted' $1 ✓")
            #expect(try rows[0].bool("b") == true)
            #expect(rows[0]["n"] == .null)
            #expect(try rows[0].optionalString("n") == nil)
            #expect(try rows[1].int64("i") == .min)
            #expect(try rows[1].double("r") == 0)
            #expect(try rows[1].string("t") == "")
            #expect(try rows[1].bool("b") == false)
            #expect(rows[0].columns.map(\.name) == ["id", "i", "r", "t", "b", "n"])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func textBindsTakeTheirTypeFromTheStatement(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { sql in
                try await sql.execute("CREATE TABLE docs (name TEXT, body JSONB, at TIMESTAMPTZ, size BIGINT)")
                try await sql.execute(
                    "INSERT INTO docs (name, body, at, size) VALUES ($1, $2, $3, $4), ($5, $2, $3, $6)",
                    ["a", #"{"a": 1}"#, "2024-01-02T03:04:05.5Z", 2, "b", 3])
            }
            let rows = try await db.read { try await $0.query("SELECT body, at FROM docs WHERE name = $1", ["a"]) }
            #expect(try rows[0].string("body") == #"{"a": 1}"#)
            let expectedTime = backend == .postgresql ? "2024-01-02T03:04:05.500Z" : "2024-01-02T03:04:05.5Z"
            #expect(try rows[0].string("at") == expectedTime)

            let matching: @Sendable (String?) async throws -> Int = { name in
                try await db.read {
                    try await $0.query(
                        "SELECT COUNT(*) AS c FROM docs WHERE CAST($1 AS TEXT) IS NULL OR name = $1", [SQLValue(name)]
                    )[0].int("c")
                }
            }
            #expect(try await matching(nil) == 2)
            #expect(try await matching("b") == 1)
            let total = try await db.read {
                try await $0.query("SELECT SUM(size) AS total FROM docs")[0].int64("total")
            }
            #expect(total == 5)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func placeholdersMayRepeatAndComeInAnyOrder(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            let rows = try await db.transaction { sql in
                try await sql.execute("CREATE TABLE pairs (a TEXT, b BIGINT)")
                try await sql.execute("INSERT INTO pairs (b, a) VALUES ($2, $1)", ["first", 1])
                try await sql.execute("INSERT INTO pairs (a, b) VALUES ($1, $2)", ["second", 2])
                return try await sql.query(
                    "SELECT a, '$1' AS literal FROM pairs WHERE a = $1 OR b = $2 OR a = $1 ORDER BY b",
                    ["second", 1])
            }
            #expect(try rows.map { try $0.string("a") } == ["first", "second"])
            #expect(try rows.map { try $0.string("literal") } == ["$1", "$1"])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func wrongNumberOfBindsFails(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            await #expect(throws: StorageError.self) {
                try await db.read { try await $0.query("SELECT $1 AS a, $2 AS b", ["only one"]) }
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func transactionCommitsWhenBodyReturns(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            let returned = try await db.transaction { sql in
                try await sql.execute("CREATE TABLE items (id TEXT PRIMARY KEY)")
                try await sql.execute("INSERT INTO items (id) VALUES ($1), ($2)", ["a", "b"])
                return "done"
            }
            #expect(returned == "done")
            #expect(try await count(db, "items") == 2)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func transactionRollsBackAndRethrowsTheBodysError(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { try await $0.execute("CREATE TABLE items (id TEXT PRIMARY KEY)") }
            await #expect(throws: Boom()) {
                try await db.transaction { sql in
                    try await sql.execute("INSERT INTO items (id) VALUES ($1)", ["a"])
                    throw Boom()
                }
            }
            #expect(try await count(db, "items") == 0)
            try await db.transaction { try await $0.execute("INSERT INTO items (id) VALUES ('after')") }
            #expect(try await count(db, "items") == 1)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func uniqueViolationsAreRecognised(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { sql in
                try await sql.execute("CREATE TABLE tests (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                try await sql.execute("INSERT INTO tests (id, name) VALUES ('1', 'one')")
            }
            for statement in [
                "INSERT INTO tests (id, name) VALUES ('1', 'other')",
                "INSERT INTO tests (id, name) VALUES ('2', 'one')",
            ] {
                let error = await #expect(throws: StorageError.self) {
                    try await db.transaction { try await $0.execute(statement) }
                }
                #expect(error?.isUniqueViolation == true)
                #expect(error?.sql == statement)
            }
            let notNull = await #expect(throws: StorageError.self) {
                try await db.transaction { try await $0.execute("INSERT INTO tests (id) VALUES ('3')") }
            }
            #expect(notNull?.code == .constraintViolation)
            #expect(notNull?.isUniqueViolation == false)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func swallowedStatementErrorInTransaction(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { try await $0.execute("CREATE TABLE items (id TEXT PRIMARY KEY)") }
            let attempt: @Sendable () async throws -> Void = {
                try await db.transaction { sql in
                    try await sql.execute("INSERT INTO items (id) VALUES ('a')")
                    do { try await sql.execute("INSERT INTO items (id) VALUES ('a')") } catch
                        where error.isUniqueViolation
                    {}
                }
            }
            switch backend {
            case .sqlite:
                try await attempt()
                #expect(try await count(db, "items") == 1)
            case .postgresql:
                let error = await #expect(throws: StorageError.self) { try await attempt() }
                #expect(error?.code == .transactionAborted)
                #expect(try await count(db, "items") == 0)
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentTransactionsAllCommit(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { sql in
                try await sql.execute("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
                try await sql.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await db.transaction { try await $0.execute("UPDATE counter SET n = n + 1 WHERE id = 1") }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await db.read { try await $0.query("SELECT n FROM counter").first?.int64("n") }
            #expect(n == 50)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func readsRunWhileATransactionIsOpen(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await db.transaction { try await $0.execute("CREATE TABLE items (id TEXT PRIMARY KEY)") }
            let (inserted, insertedSignal) = AsyncStream<Void>.makeStream()
            let (readDone, readDoneSignal) = AsyncStream<Void>.makeStream()
            let writer = Task {
                try await db.transaction { sql in
                    try await sql.execute("INSERT INTO items (id) VALUES ('uncommitted')")
                    insertedSignal.yield()
                    return await firstSignal(readDone, within: .seconds(60))
                }
            }
            await firstSignal(inserted, within: .seconds(60))
            let seenDuringTransaction = try await count(db, "items")
            readDoneSignal.yield()
            #expect(seenDuringTransaction == 0)
            #expect(try await writer.value == true, "the read waited for the transaction to end")
            #expect(try await count(db, "items") == 1)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func readsInParallel(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            let sums = try await withThrowingTaskGroup(of: Int64.self) { group in
                for value in 1...20 {
                    group.addTask {
                        try await db.read { try await $0.query("SELECT $1 + 1 AS v", [.integer(Int64(value))]) }[0]
                            .int64("v")
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(sums == (2...21).reduce(0, +))
        }
    }
}

private func count(_ db: any SQLDatabase, _ table: String) async throws -> Int {
    try await db.read { try await $0.query("SELECT COUNT(*) AS c FROM \(table)")[0].int("c") }
}

/// Waits for the first element of `stream`; false when none came within `limit`.
@discardableResult
private func firstSignal(_ stream: AsyncStream<Void>, within limit: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask { await stream.first { _ in true } != nil }
        group.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        defer { group.cancelAll() }
        return await group.next() ?? false
    }
}
