import Logging
import ServerTestSupport
import TestSupport
import Testing
import TracetestStorage

@Suite("SQL migrations")
struct SQLMigratorTests {
    let logger = testDatabaseLogger()

    let migrations = [
        Migration(version: 1, name: "create tests", statements: ["CREATE TABLE tests (id TEXT PRIMARY KEY)"]),
        Migration(
            version: 2, name: "seed",
            sqlite: ["INSERT INTO tests (id) VALUES ('sqlite')"],
            postgresql: ["INSERT INTO tests (id) VALUES ('postgresql')"]),
    ]

    @Test(arguments: TestBackend.allCases)
    func appliesPendingMigrationsOnce(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await Migrator.migrate(db, migrations, logger: logger)
            try await Migrator.migrate(db, migrations, logger: logger)
            let ids = try await db.read { try await $0.query("SELECT id FROM tests").map { try $0.string("id") } }
            #expect(ids == [backend.rawValue])
            let applied = try await db.read {
                try await $0.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
            }
            #expect(try applied.map { try $0.int("version") } == [1, 2])
            #expect(try applied.map { try $0.string("name") } == ["create tests", "seed"])
            #expect(try applied.allSatisfy { try !$0.string("applied_at").isEmpty })
        }
    }

    @Test(arguments: TestBackend.allCases)
    func appliesOnlyNewMigrationsLater(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await Migrator.migrate(db, [migrations[0]], logger: logger)
            try await db.transaction { try await $0.execute("INSERT INTO tests (id) VALUES ('kept')") }
            try await Migrator.migrate(db, migrations, logger: logger)
            let ids = try await db.read {
                try await $0.query("SELECT id FROM tests ORDER BY id").map { try $0.string("id") }
            }
            #expect(ids == ["kept", backend.rawValue].sorted())
        }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentMigratorsApplyEachMigrationOnce(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator.migrate(db, migrations, logger: logger) }
                }
                try await group.waitForAll()
            }
            let rows = try await db.read { try await $0.query("SELECT COUNT(*) AS c FROM tests")[0].int("c") }
            #expect(rows == 1)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func refusesADatabaseFromANewerVersion(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            try await Migrator.migrate(db, migrations, logger: logger)
            let error = await #expect(throws: StorageError.self) {
                try await Migrator.migrate(db, [migrations[0]], logger: logger)
            }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("version 2") == true)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func failedMigrationLeavesNoTrace(_ backend: TestBackend) async throws {
        try await withTestDatabase(backend) { db in
            let broken = Migration(
                version: 3, name: "broken",
                statements: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"])
            await #expect(throws: StorageError.self) {
                try await Migrator.migrate(db, migrations + [broken], logger: logger)
            }
            let versions = try await db.read {
                try await $0.query("SELECT version FROM schema_migrations ORDER BY version").map {
                    try $0.int("version")
                }
            }
            #expect(versions == [1, 2])
            await #expect(throws: StorageError.self) {
                try await db.read { try await $0.query("SELECT * FROM half_done") }
            }
        }
    }

    @Test func rejectsDuplicateVersions() async throws {
        try await withTestDatabase(.sqlite) { db in
            let error = await #expect(throws: StorageError.self) {
                try await Migrator.migrate(db, migrations + [migrations[1]], logger: logger)
            }
            #expect(error?.code == .invalidMigrations)
        }
    }
}
