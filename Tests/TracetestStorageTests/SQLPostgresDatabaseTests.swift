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
}
