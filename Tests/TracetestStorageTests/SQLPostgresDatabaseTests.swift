import ServerTestSupport
import ServiceLifecycle
import TestSupport
import Testing
import TracetestStorage

@Suite("PostgreSQL database")
struct SQLPostgresDatabaseTests {
    @Test func runStopsOnGracefulShutdown() async throws {
        try await withTestPostgresSettings { settings in
            let db = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
            let group = ServiceGroup(services: [db], logger: testDatabaseLogger())
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let name = try await db.read {
                    try await $0.query("SELECT current_database() AS name")[0].string("name")
                }
                #expect(name == settings.database)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    /// postgres-nio leaves a statement written to a connection that has already closed waiting for good; the
    /// database must fail it instead (a run once hung on this for good during a PostgreSQL outage).
    @Test func statementOnAConnectionTheServerClosedFails() async throws {
        try await withTestDatabase(.postgresql) { database in
            let error = await #expect(throws: StorageError.self) {
                try await database.read { executor in
                    // The server ends this session; what follows goes to a connection that closed.
                    _ = try? await executor.query("SELECT pg_terminate_backend(pg_backend_pid())")
                    try await Task.sleep(for: .milliseconds(300))
                    return try await executor.query("SELECT 1 AS one")
                }
            }
            #expect(error?.code == .unreachable)
        }
    }

    /// A statement that outlives `workLimit` fails (its connection is closed) and the pool goes on serving; the
    /// timers raced against every statement are cancelled with it, not left running until their deadline.
    @Test func statementOverTheWorkLimitFails() async throws {
        try await withTestPostgresSettings { settings in
            var settings = settings
            settings.workLimit = .seconds(1)
            let db = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
            let group = ServiceGroup(services: [db], logger: testDatabaseLogger())
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await #expect(throws: (any Error).self) {
                    try await db.read { try await $0.query("SELECT pg_sleep(30) AS slept") }
                }
                for _ in 0..<50 {
                    #expect(try await db.read { try await $0.query("SELECT 1 AS one")[0].int("one") } == 1)
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
