import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestModel
import TracetestStorage

/// Three `tracetest serve` processes on one PostgreSQL database, as behind a load balancer, with a demo app that
/// exports its spans to only one of them.
@Suite("Several servers on one database", .timeLimit(.minutes(10)))
struct ScaleOutTests {
    /// Each run calls the demo app once: `/slow?ms=<MS>&run=<RUN>`, a path of its own that the app counts.
    static let callTest = """
        {"type":"Test","spec":{"id":"call","name":"Call the app","trigger":{"type":"http","httpRequest":{"method":"GET",
          "url":"http://127.0.0.1:${var:APP}/slow?ms=${var:MS}&run=${var:RUN}"}},
          "specs":[{"selector":"span[name=\\"GET /slow\\"]","assertions":["attr:http.status_code = 200"]}]}}
        """

    static func call(app: Int, run: Int, milliseconds: Int) -> String {
        #"{"variables":[{"key":"APP","value":"\#(app)"},{"key":"RUN","value":"\#(run)"},"#
            + #"{"key":"MS","value":"\#(milliseconds)"}]}"#
    }

    @Test(
        "runs through any of three servers execute once and pass; a killed server's runs end through the others"
    )
    func threeServers() async throws {
        try await withTestConfiguration(.postgresql) { base in
            try await withTemporaryDirectory { directory in
                let otlp = (grpc: try unusedPort(), http: try unusedPort())
                try await Python.withDemoApp(otlpPort: otlp.grpc) { app in
                    var servers: [ServerProcess] = []
                    var apis: [TestAPI] = []
                    for name in ["a", "b", "c"] {
                        let (server, api) = try await Self.start(
                            name, base, in: directory, otlpPorts: name == "a" ? otlp : nil)
                        servers.append(server)
                        apis.append(api)
                    }
                    let (a, b, c) = (apis[0], apis[1], apis[2])
                    try await a.create("/api/tests", Self.callTest)
                    try await a.create(
                        "/api/tests", RunEngineTests.traceIDTest(id: "waits", specs: RunEngineTests.oneWorkSpan))

                    // A WebSocket subscriber on the first server sees a run started through the third finish.
                    try await withSocket("ws://127.0.0.1:\(a.port)/ws") { socket in
                        socket.send(#"{"type":"subscribe","resource":"test/waits/run/1"}"#)
                        #expect(try await socket.next()["type"] as? String == "success")
                        let traceID = TraceID.random().hex
                        _ = try await c.startRun("waits", RunEngineTests.variables(traceID: traceID))
                        try await a.export([TestSpan(traceID: traceID, name: "work")])
                        var state = ""
                        while !terminalRunStates.contains(state) {
                            let update = try await socket.next(timeout: .seconds(30))
                            state = (update["event"] as? [String: Any])?["state"] as? String ?? ""
                        }
                        #expect(state == "FINISHED")
                    }

                    // 30 runs started round-robin: each executes once, passes, and reads the same from every server.
                    var started: [Int: Int] = [:]
                    for call in 1...30 {
                        let run = try await apis[call % 3].startRun(
                            "call", Self.call(app: app, run: call, milliseconds: 50))
                        started[call] = try runID(of: run)
                    }
                    for (call, runID) in started {
                        let run = try await apis[(call + 1) % 3].waitForRun("call", runID)
                        #expect(run["state"] as? String == "FINISHED", "run \(runID): \(run["lastErrorState"] ?? "")")
                        #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true)
                        for api in apis {
                            let read = try await api.get("/api/tests/call/run/\(runID)").object()
                            #expect(read["state"] as? String == "FINISHED")
                        }
                    }
                    let counts = try await Self.requests(app)
                    #expect(counts.filter { $0.key.hasPrefix("/slow") }.count == 30)
                    for call in 1...30 {
                        #expect(counts["/slow?ms=50&run=\(call)"] == 1, "run \(call) reached the app once")
                    }

                    // Runs in flight on every server, the second killed: each run triggering there fails (whether
                    // its call arrived is unknown) without a second call, its run waiting for a trace finishes.
                    var waiting: [Int] = []
                    var traces: [String] = []
                    for api in apis {
                        let traceID = TraceID.random().hex
                        let run = try await api.startRun("waits", RunEngineTests.variables(traceID: traceID))
                        waiting.append(try runID(of: run))
                        traces.append(traceID)
                        _ = try await api.waitFor("/api/tests/waits/run/\(waiting.last ?? 0)") {
                            $0["state"] as? String == "AWAITING_TRACE"
                        }
                    }
                    // And one more on the second server, stopped through the third right after the kill.
                    let stopped = try runID(
                        of: try await b.startRun("waits", RunEngineTests.variables(traceID: TraceID.random().hex)))
                    _ = try await b.waitFor("/api/tests/waits/run/\(stopped)") {
                        $0["state"] as? String == "AWAITING_TRACE"
                    }
                    var calls: [(call: Int, runID: Int, server: Int)] = []
                    for call in 101...106 {
                        let server = call % 3
                        let run = try await apis[server].startRun(
                            "call", Self.call(app: app, run: call, milliseconds: 6_000))
                        calls.append((call, try runID(of: run), server))
                    }
                    let deadline = ContinuousClock.now + .seconds(20)
                    while try await Self.requests(app).keys.filter({ $0.contains("ms=6000") }).count < 6 {
                        guard ContinuousClock.now < deadline else { throw TestServerError("the calls did not arrive") }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    servers[1].signal(SIGKILL)
                    let killed = ContinuousClock.now
                    _ = try await servers[1].waitForExit()
                    #expect(try await c.post("/api/tests/waits/run/\(stopped)/stop", "").status == 200)
                    try await a.export(traces.map { TestSpan(traceID: $0, name: "work") })
                    for runID in waiting {
                        let run = try await c.waitForRun("waits", runID, timeout: .seconds(90) - (.now - killed))
                        #expect(run["state"] as? String == "FINISHED", "run \(runID): \(run["lastErrorState"] ?? "")")
                    }
                    for call in calls {
                        let run = try await a.waitForRun("call", call.runID, timeout: .seconds(90) - (.now - killed))
                        let expected = call.server == 1 ? "TRIGGER_FAILED" : "FINISHED"
                        #expect(
                            run["state"] as? String == expected, "run \(call.runID): \(run["lastErrorState"] ?? "")")
                    }
                    // The stop was not lost with the server: the run ended STOPPED, once, when its lease expired.
                    let stop = try await a.waitForRun("waits", stopped, timeout: .seconds(90) - (.now - killed))
                    #expect(stop["state"] as? String == "STOPPED", "\(stop["lastErrorState"] ?? "")")
                    let events = try await a.get("/api/tests/waits/run/\(stopped)/events").json() as? [[String: Any]]
                    #expect(events?.filter { $0["type"] as? String == "STOPPED_INFO" }.count == 1, "\(events ?? [])")
                    print("runs of the killed server ended \(ContinuousClock.now - killed) after the kill")
                    let after = try await Self.requests(app)
                    for call in calls { #expect(after["/slow?ms=6000&run=\(call.call)"] == 1, "never called twice") }
                    // The killed server's three other runs were taken over (the stopped one may have been too,
                    // by the server that did not record the stop, before it was asked to stop it).
                    let log = servers[0].log + servers[2].log
                    let takeovers =
                        log.components(separatedBy: "taking over run").count
                        - log.components(separatedBy: "taking over run waits/\(stopped):").count
                    #expect(takeovers == 3, "the killed server's runs were taken over once each")

                    // The killed server, restarted, takes new runs.
                    let (restarted, b2) = try await Self.start("b", base, in: directory, otlpPorts: nil)
                    for call in 201...203 {
                        let run = try await b2.runToEnd("call", Self.call(app: app, run: call, milliseconds: 10))
                        #expect(run["state"] as? String == "FINISHED")
                        try await restarted.waitForLog("run call/\(try runID(of: run)) FINISHED in ")
                    }
                    for server in servers + [restarted] where server.process.isRunning { server.signal(SIGTERM) }
                    for server in servers + [restarted] { _ = try await server.waitForExit() }
                }
            }
        }
    }

    @Test("a server whose run another server took over (it had not renewed the lease in time) writes no more to it")
    func takenOverRun() async throws {
        try await withTestConfiguration(.postgresql) { base in
            try await withTemporaryDirectory { directory in
                let otlp = (grpc: try unusedPort(), http: try unusedPort())
                let (server, api) = try await Self.start("a", base, in: directory, otlpPorts: otlp)
                try await api.create(
                    "/api/tests", RunEngineTests.traceIDTest(id: "fenced", specs: RunEngineTests.oneWorkSpan))
                let traceID = TraceID.random().hex
                _ = try await api.startRun("fenced", RunEngineTests.variables(traceID: traceID))
                _ = try await api.waitFor("/api/tests/fenced/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                // What a server that could not reach the database for longer than a lease finds when it can again:
                // another server has taken the run over (its lease expired) and executes it now.
                let database = PostgresDatabase(settings: try #require(base.postgres), logger: testDatabaseLogger())
                try await withRunning(database) {
                    let leases = RunLeases(database: database)
                    #expect(
                        try await leases.claim(testID: "fenced", runID: 1, owner: "elsewhere", now: .max, until: .max))
                    let before = try await api.get("/api/tests/fenced/run/1/events").json() as? [[String: Any]]
                    // The trace arrives; the wait ends, and the server stores nothing of it.
                    try await api.export([TestSpan(traceID: traceID, name: "work")])
                    try await server.waitForLog("leaving run fenced/1: run fenced/1 is no longer this server's")
                    let run = try await api.get("/api/tests/fenced/run/1").object()
                    #expect(run["state"] as? String == "AWAITING_TRACE", "\(run["lastErrorState"] ?? "")")
                    #expect(((run["trace"] as? [String: Any])?["flat"] as? [String: Any] ?? [:]).isEmpty)
                    let after = try await api.get("/api/tests/fenced/run/1/events").json() as? [[String: Any]]
                    #expect(after?.count == before?.count, "\(after ?? [])")
                    #expect(try await leases.holder(testID: "fenced", runID: 1)?.owner == "elsewhere")
                }
                server.signal(SIGTERM)
                _ = try await server.waitForExit()
            }
        }
    }

    /// Starts `tracetest serve` named `name` in a directory of its own under `directory` (the same one for a
    /// restart), on `base`'s database.
    static func start(
        _ name: String, _ base: ServerConfiguration, in directory: String, otlpPorts: (grpc: Int, http: Int)?
    ) async throws -> (ServerProcess, TestAPI) {
        var configuration = base
        configuration.server.instanceName = base.server.instanceName + "-" + name
        let home = directory + "/" + name
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try configurationYAML(configuration, otlpPorts: otlpPorts)
            .write(toFile: home + "/tracetest.yaml", atomically: true, encoding: .utf8)
        let server = try ServerProcess(["serve"], in: home)
        let port = try await server.waitUntilListening()
        return (server, TestAPI(port: port, otlpHTTPPort: otlpPorts?.http))
    }

    /// How many requests the demo app had, by path and query.
    static func requests(_ app: Int) async throws -> [String: Int] {
        let response = try await TestAPI(port: app).get("/requests")
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Int] ?? [:]
    }
}
