import Foundation
import Logging
import TestSupport
import TracetestStorage

/// The storage backends that database tests run against.
package enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgresql

    package var description: String { rawValue }
}

/// Runs `body` with a fresh, empty database of `backend` and deletes it afterwards: a temporary SQLite file, or a new
/// PostgreSQL database on the server named by the `TRACETEST_TEST_POSTGRES_*` variables (which must be set).
@discardableResult
package func withTestDatabase<R>(
    _ backend: TestBackend, logger: Logger = testDatabaseLogger(), _ body: (any SQLDatabase) async throws -> R
) async throws -> R {
    try await withSlot(.databases) { try await testDatabase(backend, logger: logger, body) }
}

private func testDatabase<R>(
    _ backend: TestBackend, logger: Logger, _ body: (any SQLDatabase) async throws -> R
) async throws -> R {
    switch backend {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracetest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await SQLiteDatabase.open(
            path: directory.appendingPathComponent("tracetest.db").path, logger: logger)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    case .postgresql:
        return try await withTestPostgresSettings(logger: logger) { settings in
            let database = PostgresDatabase(settings: settings, logger: logger)
            return try await withRunning(database) { try await body(database) }
        }
    }
}

/// Runs `body` with the settings of a fresh, empty PostgreSQL database (for tests that start a whole server on
/// PostgreSQL), and drops the database afterwards.
@discardableResult
package func withTestPostgresSettings<R>(
    logger: Logger = testDatabaseLogger(), _ body: (PostgresConnectionSettings) async throws -> R
) async throws -> R {
    let database = try await TestPostgresDatabase.create(logger: logger)
    do {
        let result = try await body(database.settings)
        try await database.drop()
        return result
    } catch {
        try? await database.drop()
        throw error
    }
}

/// A uniquely named PostgreSQL database made for one test; call ``drop()`` when done.
package struct TestPostgresDatabase: Sendable {
    /// How to connect to it (host, port, user, password and database name).
    package let settings: PostgresConnectionSettings
    private let logger: Logger

    /// Creates an empty database on the server named by the `TRACETEST_TEST_POSTGRES_*` variables.
    package static func create(logger: Logger = testDatabaseLogger()) async throws -> TestPostgresDatabase {
        var settings = try testPostgresServerSettings()
        let name = "tt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        try await runOnServer("CREATE DATABASE \"\(name)\"", logger: logger)
        settings.database = name
        return TestPostgresDatabase(settings: settings, logger: logger)
    }

    /// Drops the database, closing any connections still open to it.
    package func drop() async throws {
        try await Self.drop(named: settings.database, logger: logger)
    }

    /// Drops the test database `name`, closing any connections still open to it (a server's, to see it lose its
    /// database).
    package static func drop(named name: String, logger: Logger = testDatabaseLogger()) async throws {
        try await runOnServer("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)", logger: logger)
    }

    /// Makes the database refuse connections (closing those open), as if its server were down, or accept them again.
    package func allowConnections(_ allowed: Bool) async throws {
        let name = settings.database
        try await Self.runOnServer("ALTER DATABASE \"\(name)\" ALLOW_CONNECTIONS \(allowed)", logger: logger)
        guard !allowed else { return }
        try await Self.runOnServer(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'", logger: logger)
    }

    private static func runOnServer(_ sql: String, logger: Logger) async throws {
        let server = PostgresDatabase(settings: try testPostgresServerSettings(), logger: logger)
        try await withRunning(server) {
            try await server.read { try await $0.execute(sql) }
        }
    }
}

/// Why a PostgreSQL test cannot run: no server was configured.
package struct TestPostgresServerMissing: Error, CustomStringConvertible {
    package init() {}

    package var description: String {
        "PostgreSQL tests need a server: run scripts/test (it starts one), or set "
            + "TRACETEST_TEST_POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME"
    }
}

/// The test server from `TRACETEST_TEST_POSTGRES_HOST`, `_PORT` (5432), `_USER` (postgres), `_PASSWORD` (empty) and
/// `_DBNAME` (tracetest, the database used to create and drop test databases).
package func testPostgresServerSettings() throws -> PostgresConnectionSettings {
    let environment = ProcessInfo.processInfo.environment
    func variable(_ name: String) -> String? {
        environment["TRACETEST_TEST_POSTGRES_\(name)"].flatMap { $0.isEmpty ? nil : $0 }
    }
    guard let host = variable("HOST") else { throw TestPostgresServerMissing() }
    var settings = PostgresConnectionSettings(
        host: host,
        port: variable("PORT").flatMap(Int.init) ?? 5432,
        user: variable("USER") ?? "postgres",
        password: variable("PASSWORD") ?? "",
        database: variable("DBNAME") ?? "tracetest")
    // The whole suite runs at once on a few cores: a connection can take longer than a server's 3 s to come.
    settings.connectionWait = .seconds(30)
    return settings
}

/// A logger for test databases that shows errors only.
package func testDatabaseLogger() -> Logger {
    var logger = Logger(label: "tracetest.test.database")
    logger.logLevel = .error
    return logger
}

/// Runs `body` while the database's connection pool runs, then stops the pool.
package func withRunning<R>(_ database: PostgresDatabase, _ body: () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await database.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}
