import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestStorage

@Suite("PostgreSQL reachability")
struct SQLPostgresReachabilityTests {
    @Test func unreachableServerFailsAfterTheTimeoutAndLogsEachAttempt() async throws {
        try await withClosedPort { port in
            // Each attempt gives up within 2 s, so several fit in the timeout even on a busy machine (where the whole
            // suite starting at once can hold up even a refused connection for seconds).
            let settings = PostgresConnectionSettings(
                host: "127.0.0.1", port: port, user: "postgres", password: "", database: "tracetest", sslMode: .disable,
                connectTimeout: .seconds(2))
            let database = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
            let recorder = LogRecorder()
            let started = ContinuousClock.now

            let error = await #expect(throws: StorageError.self) {
                try await database.waitUntilReachable(timeout: .seconds(15), logger: recorder.logger())
            }

            let elapsed = ContinuousClock.now - started
            // It waits the whole timeout and then gives up (the upper bound only catches a hang).
            #expect(elapsed >= .seconds(15) && elapsed < .seconds(90), "took \(elapsed)")
            #expect(error?.code == .unreachable)
            let message = error?.message ?? ""
            #expect(message.hasPrefix("PostgreSQL at 127.0.0.1:\(port) is not reachable after 15s: "), "\(message)")
            #expect(
                message.hasSuffix(
                    "Check postgres.host/port/user/password (or TRACETEST_POSTGRES_*) and that the server is running."))
            let attempts = recorder.messages.filter { $0.contains("127.0.0.1:\(port) not reachable (attempt") }
            #expect(attempts.first?.contains("(attempt 1)") == true, "\(recorder.messages)")
            #expect(attempts.last?.hasSuffix("giving up") == true, "\(attempts)")
            #expect(attempts.dropLast().allSatisfy { $0.contains("retrying in") }, "\(attempts)")
            #expect(attempts.count == recorder.messages.count, "one line per failed attempt: \(recorder.messages)")
            // Backoff: 250ms, then twice as long each time (the last wait may be cut short by the timeout). An
            // attempt that failed with more than a second of the timeout left is retried (when the whole suite starts
            // at once, even a refused connection can take seconds to be reported, so how many fit varies).
            let lines = recorder.entries.filter { $0.message.contains("not reachable (attempt") }
            for (line, next) in zip(lines, lines.dropFirst()) {
                #expect(line.message.contains("retrying in"), "\(attempts)")
                #expect(next.time > line.time)
            }
            if let first = lines.first, started.duration(to: first.time) < .seconds(14) {
                #expect(attempts.count >= 2, "a retry after the first attempt: \(attempts)")
            }
            let delays = retryDelays(in: attempts.joined(separator: "\n"))
            #expect(delays.count == attempts.count - 1, "\(attempts)")
            for (retry, delay) in delays.enumerated() {
                let planned = min(Duration.milliseconds(250) * (1 << retry), .seconds(5))
                if retry == delays.count - 1 {
                    #expect(delay <= planned, "\(delays)")
                } else {
                    #expect(delay == planned, "\(delays)")
                }
            }
        }
    }

    @Test func applicationNameAndConnectTimeoutReachTheConnection() async throws {
        try await withTestPostgresSettings { settings in
            var settings = settings
            settings.applicationName = "tracetest-reachability"
            // Generous: the whole suite creating databases at once can keep a connection waiting for seconds.
            settings.connectTimeout = .seconds(20)
            let database = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
            try await database.waitUntilReachable(timeout: .seconds(30), logger: testDatabaseLogger())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await database.run() }
                defer { group.cancelAll() }
                let name = try await database.read { db in
                    try await db.query("SELECT current_setting('application_name') AS name").first?.string("name")
                }
                #expect(name == "tracetest-reachability")
            }
        }
    }

    @Test func reachableServerPassesAtOnce() async throws {
        let settings = try testPostgresServerSettings()
        let database = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
        let recorder = LogRecorder()
        try await database.waitUntilReachable(timeout: .seconds(30), logger: recorder.logger())
        #expect(recorder.messages.isEmpty)
    }

    @Test func missingServerConfigurationFailsWithInstructions() {
        #expect(
            "\(TestPostgresServerMissing())"
                == "PostgreSQL tests need a server: run scripts/test (it starts one), or set "
                + "TRACETEST_TEST_POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME")
    }
}
