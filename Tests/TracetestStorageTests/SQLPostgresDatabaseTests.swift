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
}
