import Foundation
import ServerTestSupport
import ServiceLifecycle
import TestSupport
import Testing
import TracetestStorage

@Suite("SQLite file")
struct SQLiteFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracetest-\(UUID().uuidString)")

    @Test func createsTheFileAndItsParentDirectory() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/dir/tracetest.db").path
        let db = try await SQLiteDatabase.open(path: path, logger: testDatabaseLogger())
        try await db.transaction { try await $0.execute("CREATE TABLE t (id TEXT)") }
        await db.close()
        #expect(FileManager.default.fileExists(atPath: path))

        let reopened = try await SQLiteDatabase.open(path: path, logger: testDatabaseLogger())
        let tables = try await reopened.read {
            try await $0.query("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.string("name") }
        }
        let journalMode = try await reopened.read {
            try await $0.query("PRAGMA journal_mode")[0].string("journal_mode")
        }
        await reopened.close()
        #expect(tables == ["t"])
        #expect(journalMode == "wal")
    }

    @Test func badPathFailsNamingThePath() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("a-file")
        try Data("not a directory".utf8).write(to: file)
        for path in [file.appendingPathComponent("tracetest.db").path, directory.path] {
            let error = await #expect(throws: StorageError.self) {
                _ = try await SQLiteDatabase.open(path: path, logger: testDatabaseLogger())
            }
            #expect(error?.code == .cannotOpen)
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
        }
    }

    @Test func readersCannotWrite() async throws {
        try await withTestDatabase(.sqlite) { db in
            try await db.transaction { try await $0.execute("CREATE TABLE t (id TEXT)") }
            await #expect(throws: StorageError.self) {
                try await db.read { try await $0.execute("INSERT INTO t (id) VALUES ('x')") }
            }
        }
    }

    @Test func closedDatabaseRefusesWork() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try await SQLiteDatabase.open(
            path: directory.appendingPathComponent("tracetest.db").path, logger: testDatabaseLogger())
        await db.close()
        let error = await #expect(throws: StorageError.self) { try await db.read { try await $0.query("SELECT 1") } }
        #expect(error?.code == .closed)
    }

    @Test func runClosesTheDatabaseOnGracefulShutdown() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try await SQLiteDatabase.open(
            path: directory.appendingPathComponent("tracetest.db").path, logger: testDatabaseLogger())
        let group = ServiceGroup(services: [db], logger: testDatabaseLogger())
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await db.read { try await $0.query("SELECT 1 AS one")[0].int("one") } == 1)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let error = await #expect(throws: StorageError.self) { try await db.read { try await $0.query("SELECT 1") } }
        #expect(error?.code == .closed)
    }

    @Test func transactionsAreSerialised() async throws {
        try await withTestDatabase(.sqlite) { db in
            try await db.transaction { sql in
                try await sql.execute("CREATE TABLE counter (n BIGINT NOT NULL)")
                try await sql.execute("INSERT INTO counter (n) VALUES (0)")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await db.transaction { sql in
                            let n = try await sql.query("SELECT n FROM counter")[0].int64("n")
                            try await Task.sleep(for: .milliseconds(1))
                            try await sql.execute("UPDATE counter SET n = $1", [.integer(n + 1)])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await db.read { try await $0.query("SELECT n FROM counter")[0].int64("n") }
            #expect(n == 50)
        }
    }
}
