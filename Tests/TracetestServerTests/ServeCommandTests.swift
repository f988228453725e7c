import Foundation
import TestSupport
import Testing
import TracetestConfig

/// `tracetest serve` as a process: start-up errors, signals, crashes.
@Suite("tracetest serve")
struct ServeCommandTests {
    /// Writes `yaml` as `tracetest.yaml` in a new directory and runs `body` with the directory.
    func withConfigFile<R>(_ yaml: String, _ body: (String) async throws -> R) async throws -> R {
        try await withTemporaryDirectory { directory in
            try yaml.write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
            return try await body(directory)
        }
    }

    @Test("a configuration mistake stops start-up with the file, line, key and what is allowed")
    func badConfiguration() async throws {
        try await withConfigFile("server:\n  httpPort: lots\n") { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(server.log.contains("tracetest.yaml:2:13: server.httpPort"))
            #expect(server.log.contains("\"lots\""))
            #expect(server.log.contains("between 0 and 65535 (0 picks a free port)"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/tracetest.db"))
        }
    }

    @Test("postgresConnString is refused with the keys that replace it")
    func removedConnectionString() async throws {
        try await withConfigFile("postgresConnString: host=db user=x\n") { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(server.log.contains("postgresConnString"))
            #expect(server.log.contains("postgres.host"))
        }
    }

    @Test("an explicit --config that does not exist is an error naming it")
    func missingExplicitConfig() async throws {
        try await withTemporaryDirectory { directory in
            let server = try ServerProcess(["serve", "--config", "nope.yaml"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(server.log.contains("nope.yaml"))
        }
    }

    @Test("a bad provisioning file stops start-up naming the document, and creates no installation")
    func badProvisioning() async throws {
        try await withConfigFile(
            "server: {host: 127.0.0.1, httpPort: 0}\notlpServer: {host: 127.0.0.1, grpcPort: 0, httpPort: 0}\n"
        ) { directory in
            try "type: Config\nspec: {}\n---\ntype: DataStore\nspec: {type: otlp}\n"
                .write(toFile: directory + "/provisioning.yaml", atomically: true, encoding: .utf8)
            let server = try ServerProcess(["serve", "--provisioning-file", "provisioning.yaml"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(server.log.contains("provisioning.yaml, document 2 (DataStore): data store should have a name"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/tracetest.db"))
        }
    }

    @Test("unreachable PostgreSQL: one log line per attempt, then exit 1 with the reason")
    func unreachablePostgres() async throws {
        try await withTemporaryDirectory { directory in
            let started = ContinuousClock.now
            let server = try ServerProcess(
                ["serve"],
                in: directory,
                environment: [
                    "TRACETEST_POSTGRES_HOST": "127.0.0.1", "TRACETEST_POSTGRES_PORT": "1",
                    "TRACETEST_POSTGRES_STARTUPTIMEOUT": "2s", "TRACETEST_SERVER_HTTPPORT": "0",
                ]
            )
            #expect(try await server.waitForExit(timeout: .seconds(30)) == 1)
            #expect(ContinuousClock.now - started < .seconds(20))
            let attempts = server.log.components(separatedBy: "not reachable (attempt").count - 1
            #expect(attempts >= 1)
            #expect(server.log.contains("giving up"))
            #expect(server.log.contains("storage: PostgreSQL database tracetest at 127.0.0.1:1"))
            #expect(server.log.contains("is not reachable after 2s"))
        }
    }

    @Test(
        "SIGTERM and SIGINT drain and exit 0; the default storage is SQLite in the working directory",
        arguments: [SIGTERM, SIGINT])
    func gracefulShutdown(signal: Int32) async throws {
        try await withConfigFile(
            "server: {host: 127.0.0.1, httpPort: 0}\notlpServer: {host: 127.0.0.1, grpcPort: 0, httpPort: 0}\n"
        ) { directory in
            let server = try ServerProcess(["serve"], in: directory)
            let port = try await server.waitUntilListening()
            #expect(server.log.contains("storage: embedded SQLite database at"))
            #expect(server.log.contains("tracetest.yaml"))
            #expect(FileManager.default.fileExists(atPath: directory + "/tracetest.db"))
            #expect(try await TestAPI(port: port).get("/health").status == 200)
            server.signal(signal)
            #expect(try await server.waitForExit(timeout: .seconds(30)) == 0)
            #expect(server.log.contains("server stopped"))
        }
    }

    @Test("a server killed mid-write leaves only complete resources", arguments: TestBackend.allCases)
    func killedMidWrite(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            try await withTemporaryDirectory { directory in
                try configurationYAML(configuration).write(
                    toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                let server = try ServerProcess(["serve"], in: directory)
                let port = try await server.waitUntilListening()
                let api = TestAPI(port: port)
                let written = WriteCounter()
                let writers = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<6 {
                            group.addTask {
                                for round in 0..<1_000 {
                                    let specs = (writer + round) % 7 + 1
                                    let test = try? await api.put(
                                        "/api/tests", Self.test(id: "w\(writer)-\(round % 20)", specs: specs))
                                    let suite = try? await api.put(
                                        "/api/testsuites", Self.suite(id: "s\(writer)", steps: round % 9 + 1))
                                    if test?.status ?? 0 < 300, suite?.status ?? 0 < 300 { await written.add() }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                // Kill while writes are in flight, once enough of them have landed.
                for _ in 0..<600 where await written.count < 60 { try await Task.sleep(for: .milliseconds(100)) }
                #expect(await written.count >= 60)
                server.signal(SIGKILL)
                _ = try await server.waitForExit()
                writers.cancel()

                try await withRunningServer(configuration) { api async throws in
                    let tests = try await api.store.tests.list(.init(take: 1_000))
                    #expect(tests.count > 0)
                    for test in tests.items {
                        for version in 1...(test.version ?? 1) {
                            let stored = try #require(try await api.store.tests.get(test.id, version: version))
                            #expect(stored.name == "specs=\(stored.specs.count)", "\(test.id) v\(version)")
                            #expect(stored.specs.allSatisfy { $0.assertions.count == 2 })
                        }
                    }
                    for suite in try await api.store.testSuites.list(.init(take: 100)).items {
                        #expect(suite.name == "steps=\(suite.steps.count)", "\(suite.id)")
                    }
                }
            }
        }
    }

    actor WriteCounter {
        var count = 0
        func add() { count += 1 }
    }

    static func test(id: String, specs: Int) -> String {
        let list = (0..<specs).map {
            #"{"selector":"span[name=\"s\#($0)\"]","assertions":["attr:a = 1","attr:b = 2"]}"#
        }
        return
            #"{"type":"Test","spec":{"id":"\#(id)","name":"specs=\#(specs)","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x"}},"specs":[\#(list.joined(separator: ","))]}}"#
    }

    static func suite(id: String, steps: Int) -> String {
        let list = (0..<steps).map { #""t\#($0)""# }.joined(separator: ",")
        return #"{"type":"TestSuite","spec":{"id":"\#(id)","name":"steps=\#(steps)","steps":[\#(list)]}}"#
    }
}
