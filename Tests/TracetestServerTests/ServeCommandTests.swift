import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import ServerTestSupport
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

    @Test("a port in use stops start-up with one line naming the port and the key that sets it")
    func portInUse() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        defer { taken.close(promise: nil) }
        for (yaml, key) in [
            ("server: {host: 127.0.0.1, httpPort: \(port)}\notlpServer: {enabled: false}\n", "server.httpPort"),
            (
                "server: {host: 127.0.0.1, httpPort: 0}\notlpServer: {host: 127.0.0.1, grpcPort: 0, httpPort: \(port)}\n",
                "otlpServer.httpPort"
            ),
        ] {
            try await withConfigFile(yaml) { directory in
                let server = try ServerProcess(["serve"], in: directory)
                #expect(try await server.waitForExit() == 1)
                let errors = server.log.split(separator: "\n").filter { $0.contains(" error ") }
                #expect(errors.count == 1, "one line: \(server.log)")
                #expect(
                    errors.first?.contains(
                        "cannot start: port \(port) (\(key)) is already in use on 127.0.0.1: stop what listens there, "
                            + "or set \(key) to a free port") == true, "\(server.log)")
            }
        }
    }

    @Test("a second server on the same SQLite file stops at start-up saying the file is in use, and by whom")
    func sqliteFileInUse() async throws {
        let yaml = "server: {host: 127.0.0.1, httpPort: 0}\notlpServer: {enabled: false}\n"
        try await withConfigFile(yaml) { directory in
            let first = try ServerProcess(["serve"], in: directory)
            _ = try await first.waitUntilListening()
            let second = try ServerProcess(["serve"], in: directory)
            #expect(try await second.waitForExit() == 1)
            let path = URL(fileURLWithPath: directory + "/tracetest.db").standardizedFileURL.path
            let pid = first.process.processIdentifier
            let expected =
                "the SQLite database \(path) is in use by another tracetest server (process \(pid)): an embedded "
                + "database serves one server"
            #expect(second.log.contains(expected), "\(second.log)")
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)
            // Once the first has stopped, the file is free again.
            let third = try ServerProcess(["serve"], in: directory)
            _ = try await third.waitUntilListening()
            third.signal(SIGTERM)
            #expect(try await third.waitForExit() == 0)
        }
    }

    @Test("two listeners given the same port stop start-up naming both keys")
    func portSetTwice() async throws {
        let port = try unusedPort()
        let yaml = "server: {host: 127.0.0.1, httpPort: \(port)}\notlpServer: {host: 127.0.0.1, grpcPort: \(port)}\n"
        try await withConfigFile(yaml) { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(
                server.log.contains(
                    "cannot start: port \(port) is set for both server.httpPort and otlpServer.grpcPort: give each its "
                        + "own port"), "\(server.log)")
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

    @Test("unreachable PostgreSQL: one log line per attempt with growing waits, then exit 1 with the reason")
    func unreachablePostgres() async throws {
        try await withTemporaryDirectory { directory in
            let server = try ServerProcess(
                ["serve"],
                in: directory,
                environment: [
                    "TRACETEST_POSTGRES_HOST": "127.0.0.1", "TRACETEST_POSTGRES_PORT": "1",
                    "TRACETEST_POSTGRES_STARTUPTIMEOUT": "4s", "TRACETEST_SERVER_HTTPPORT": "0",
                    "TRACETEST_OTLPSERVER_ENABLED": "false",
                    "TRACETEST_POSTGRES_PARAMS": "sslmode=disable keepalives=1 application_name=tt",
                ]
            )
            // With a 4 s start-up timeout the server gives up; one that retried for ever would not exit.
            #expect(try await server.waitForExit(timeout: .seconds(60)) == 1)
            let log = server.log
            let attempts = log.split(separator: "\n").filter { $0.contains("not reachable (attempt") }
            #expect(attempts.count >= 3, "\(log)")
            for (index, line) in attempts.enumerated() {
                #expect(line.contains("(attempt \(index + 1))"), "\(line)")
            }
            #expect(attempts.last?.hasSuffix("giving up") == true)
            let delays = retryDelays(in: log)
            #expect(delays.count == attempts.count - 1, "one wait between attempts: \(delays)")
            #expect(delays.count >= 2 && delays[1] > delays[0], "the waits grow: \(delays)")
            #expect(log.contains("storage: PostgreSQL database tracetest at 127.0.0.1:1"))
            #expect(log.contains("is not reachable after 4s"))
            #expect(
                log.contains(
                    #"TRACETEST_POSTGRES_PARAMS: postgres.params: "keepalives" is not supported and is ignored "#
                        + "(supported: sslmode, connect_timeout, application_name)"), "\(log)")
            #expect(!log.contains(#""application_name" is not supported"#))
        }
    }

    @Test("a bad sslmode in postgres.params stops start-up naming the key and the values allowed")
    func badSSLMode() async throws {
        try await withConfigFile("postgres:\n  host: 127.0.0.1\n  params: sslmode=bogus\n") { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            let log = server.log
            #expect(log.contains("tracetest.yaml:3:11: postgres.params: "), "\(log)")
            #expect(
                log.contains(
                    #"(sslmode "bogus" is not one of: disable, allow, prefer, require, verify-ca, verify-full)"#),
                "\(log)")
            #expect(!log.contains("not reachable"), "it stops before connecting")
        }
    }

    @Test("postgres.params application_name reaches the server's connections")
    func applicationName() async throws {
        try await withTestConfiguration(.postgresql) { configuration in
            var configuration = configuration
            configuration.postgres?.applicationName = "tracetest check"
            try await withRunningServer(configuration) { api async throws in
                let name = try await api.store.database.read { db in
                    try await db.query("SELECT current_setting('application_name') AS name").first?.string("name")
                }
                #expect(name == "tracetest check")
            }
        }
    }

    @Test("SIGTERM lets a request in flight finish with 2xx, then exits 0", arguments: TestBackend.allCases)
    func drainsRequestInFlight(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            try await withTemporaryDirectory { directory in
                try configurationYAML(configuration).write(
                    toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                let server = try ServerProcess(["serve"], in: directory, environment: ["LOG_LEVEL": "debug"])
                let port = try await server.waitUntilListening()

                // A PUT whose body arrives in two parts, with SIGTERM in between.
                let body = Array(ResourceAPITests.testJSON(id: "drained", name: "finished during shutdown").utf8)
                let (parts, sender) = AsyncStream.makeStream(of: ByteBuffer.self)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/tests")
                request.method = .PUT
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .stream(parts, length: .known(Int64(body.count)))
                let response = Task {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                    return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
                }
                sender.yield(ByteBuffer(bytes: body[..<(body.count / 2)]))
                // Time for the server to read the request's head and start reading its body.
                try await Task.sleep(for: .milliseconds(500))
                server.signal(SIGTERM)
                try await server.waitForLog("Triggering graceful shutdown for service")
                try await Task.sleep(for: .milliseconds(200))
                #expect(server.process.isRunning, "the server waits for the request")
                sender.yield(ByteBuffer(bytes: body[(body.count / 2)...]))
                sender.finish()

                let (status, text) = try await response.value
                #expect(status == 201, "\(text)")
                #expect(text.contains("finished during shutdown"))
                #expect(try await server.waitForExit(timeout: .seconds(30)) == 0)
                try await withRunningServer(configuration) { api async throws in
                    #expect(try await api.store.tests.get("drained")?.name == "finished during shutdown")
                }
            }
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

    @Test(
        "a server killed mid-write keeps every acknowledged write, complete, with one latest version per id",
        arguments: TestBackend.allCases)
    func killedMidWrite(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            try await withTemporaryDirectory { directory in
                try configurationYAML(configuration).write(
                    toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                let server = try ServerProcess(["serve"], in: directory)
                let port = try await server.waitUntilListening()
                let api = TestAPI(port: port)
                let acknowledged = Acknowledgements()
                let writers = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<6 {
                            group.addTask {
                                // Consecutive writes to one id always change it, so each acknowledged write is
                                // a new version: the n-th acknowledged write of an id is at least version n.
                                for round in 0..<1_000 where !Task.isCancelled {
                                    let specs = (writer + round) % 7 + 1
                                    let testID = "w\(writer)-\(round % 20)"
                                    let test = try? await api.put(
                                        "/api/tests", Self.test(id: testID, specs: specs, round: round))
                                    if let status = test?.status, status == 200 || status == 201 {
                                        await acknowledged.add(.tests, id: testID, round: round)
                                    }
                                    let suiteID = "s\(writer)"
                                    let suite = try? await api.put(
                                        "/api/testsuites", Self.suite(id: suiteID, steps: round % 9 + 1, round: round))
                                    if let status = suite?.status, status == 200 || status == 201 {
                                        await acknowledged.add(.testSuites, id: suiteID, round: round)
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                // Kill while writes are in flight, once enough of them have landed.
                for _ in 0..<600 where await acknowledged.count < 120 { try await Task.sleep(for: .milliseconds(100)) }
                server.signal(SIGKILL)
                _ = try await server.waitForExit()
                writers.cancel()
                _ = await writers.result
                let writes = await acknowledged.writes
                #expect(await acknowledged.count >= 120)

                try await withRunningServer(configuration) { api async throws in
                    for (key, rounds) in writes {
                        let id = key.id
                        var versions: [StoredVersion] = []
                        switch key.table {
                        case .tests:
                            let latest = try #require(try await api.store.tests.get(id), "\(id)")
                            for version in 1...(latest.version ?? 1) {
                                let stored = try #require(try await api.store.tests.get(id, version: version))
                                #expect(stored.specs.allSatisfy { $0.assertions.count == 2 }, "\(id) v\(version)")
                                versions.append(
                                    StoredVersion(
                                        version: version, name: stored.name, description: stored.description,
                                        parts: stored.specs.count))
                            }
                        case .testSuites:
                            let latest = try #require(try await api.store.testSuites.get(id), "\(id)")
                            for version in 1...(latest.version ?? 1) {
                                let stored = try #require(try await api.store.testSuites.get(id, version: version))
                                versions.append(
                                    StoredVersion(
                                        version: version, name: stored.name, description: stored.description,
                                        parts: stored.steps.count))
                            }
                        }
                        for stored in versions {
                            #expect(stored.name == "parts=\(stored.parts)", "\(id) v\(stored.version) is incomplete")
                        }
                        // Every acknowledged write is there, at the version it was given or a later one.
                        for (index, round) in rounds.enumerated() {
                            let found = versions.first { $0.description == "round \(round)" }
                            #expect(found != nil, "\(id): acknowledged round \(round) is lost")
                            #expect((found?.version ?? 0) >= index + 1, "\(id): round \(round)")
                        }
                        #expect(versions.count >= rounds.count, "\(id)")
                    }
                    for table in ["tests", "test_suites"] {
                        let problems = try await api.store.database.read { db in
                            try await db.query(
                                """
                                SELECT id, SUM(CASE WHEN is_latest THEN 1 ELSE 0 END) AS latest, MAX(version) AS newest,
                                    MAX(CASE WHEN is_latest THEN version ELSE 0 END) AS latest_version
                                FROM \(table) GROUP BY id
                                HAVING SUM(CASE WHEN is_latest THEN 1 ELSE 0 END) <> 1
                                    OR MAX(CASE WHEN is_latest THEN version ELSE 0 END) <> MAX(version)
                                """
                            ).map { try $0.string("id") }
                        }
                        #expect(problems.isEmpty, "\(table): ids without exactly one latest row, the newest")
                    }
                }
            }
        }
    }

    enum Table: Hashable {
        case tests, testSuites
    }

    struct StoredVersion {
        var version: Int
        var name: String
        var description: String
        var parts: Int
    }

    /// The writes the server acknowledged (2xx), in order per record.
    actor Acknowledgements {
        struct Key: Hashable {
            var table: Table
            var id: String
        }

        private(set) var writes: [Key: [Int]] = [:]
        private(set) var count = 0

        func add(_ table: Table, id: String, round: Int) {
            writes[Key(table: table, id: id), default: []].append(round)
            count += 1
        }
    }

    /// A test whose name says how many specs it has, so a partly written version shows.
    static func test(id: String, specs: Int, round: Int) -> String {
        let list = (0..<specs).map {
            #"{"selector":"span[name=\"s\#($0)\"]","assertions":["attr:a = 1","attr:b = 2"]}"#
        }
        return
            #"{"type":"Test","spec":{"id":"\#(id)","name":"parts=\#(specs)","description":"round \#(round)","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x"}},"specs":[\#(list.joined(separator: ","))]}}"#
    }

    /// A suite whose name says how many steps it has.
    static func suite(id: String, steps: Int, round: Int) -> String {
        let list = (0..<steps).map { #""t\#($0)""# }.joined(separator: ",")
        return
            #"{"type":"TestSuite","spec":{"id":"\#(id)","name":"parts=\#(steps)","description":"round \#(round)","steps":[\#(list)]}}"#
    }
}
