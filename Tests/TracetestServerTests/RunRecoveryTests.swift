import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestModel
import TracetestServer
import TracetestStorage

/// Runs survive the server: a killed server's runs end in a terminal state with a reason after the restart.
@Suite("Run recovery")
struct RunRecoveryTests {
    static let provisioning = pollingProfileYAML(timeout: "4s")

    @Test(
        "a server killed mid-run: the waiting run resumes and times out, the triggering one fails with the reason",
        arguments: TestBackend.allCases)
    func killedMidRun(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            try await withTemporaryDirectory { directory in
                try configurationYAML(configuration).write(
                    toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                try Self.provisioning.write(toFile: directory + "/provisioning.yaml", atomically: true, encoding: .utf8)
                // The app's spans go nowhere: only the trigger matters here.
                try await Python.withDemoApp(otlpPort: 1) { appPort in
                    let server = try ServerProcess(
                        ["serve", "--provisioning-file", "provisioning.yaml"], in: directory)
                    let api = TestAPI(port: try await server.waitUntilListening())
                    try await api.create(
                        "/api/tests",
                        #"{"type":"Test","spec":{"id":"waits","name":"Waits","trigger":{"type":"traceid","traceid":{"id":"\#(TraceID.random().hex)"}}}}"#
                    )
                    try await api.create(
                        "/api/tests",
                        #"{"type":"Test","spec":{"id":"slow","name":"Slow","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://127.0.0.1:\#(appPort)/slow?ms=20000"}}}}"#
                    )
                    _ = try await api.startRun("waits")
                    _ = try await api.startRun("slow")
                    _ = try await api.waitFor("/api/tests/waits/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                    _ = try await api.waitFor("/api/tests/slow/run/1") { $0["state"] as? String == "EXECUTING" }
                    server.signal(SIGKILL)
                    _ = try await server.waitForExit()

                    try await withRunningServer(configuration) { api in
                        let waited = try await api.waitForRun("waits", 1)
                        #expect(waited["state"] as? String == "TRACE_FAILED")
                        #expect(
                            (waited["lastErrorState"] as? String)?.hasPrefix(
                                "timeout: no span arrived within 4s, of trace ") == true)
                        let slow = try await api.waitForRun("slow", 1)
                        #expect(slow["state"] as? String == "TRIGGER_FAILED")
                        #expect(
                            (slow["lastErrorState"] as? String)?.contains(
                                "the run was interrupted while its trigger was running") == true)
                        #expect((slow["completedAt"] as? String)?.hasPrefix("1970") == false)
                    }
                }
            }
        }
    }

    @Test("two servers on one database: a run stays with the server whose lease is live, moves once it has expired")
    func leases() async throws {
        try await withSharedDatabaseServers { first, second in
            let profile = try Provisioning.parse(pollingProfileYAML(timeout: "20s"), source: "profile.yaml")
            let traces = (TraceID.random().hex, TraceID.random().hex)
            try await withRunningServer(first, provisioning: profile) { a in
                try await a.create("/api/tests", RunEngineTests.traceIDTest(id: "waits"))
                _ = try await a.startRun("waits", RunEngineTests.variables(traceID: traces.0))
                _ = try await a.waitFor("/api/tests/waits/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                #expect(try await leaseHolder(a, testID: "waits", runID: 1, becomes: "first"))
                // A second server starting now leaves the run alone: its lease is live.
                try await withRunningServer(second) { b in
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(try await b.store.runLeases.holder(testID: "waits", runID: 1)?.owner == "first")
                    try await a.export([TestSpan(traceID: traces.0, name: "work")])
                    let finished = try await b.waitForRun("waits", 1)
                    #expect(finished["state"] as? String == "FINISHED")
                }
                #expect(try await leaseHolder(a, testID: "waits", runID: 1, becomes: nil), "given up at the end")
                _ = try await a.startRun("waits", RunEngineTests.variables(traceID: traces.1))
                _ = try await a.waitFor("/api/tests/waits/run/2") { $0["state"] as? String == "AWAITING_TRACE" }
            }
            // The first server died with run 2 unfinished (it would have put it back in the queue, stopping); once its
            // lease has expired, the second takes the run over, and counts it.
            let database = PostgresDatabase(settings: try #require(second.postgres), logger: testDatabaseLogger())
            try await withRunning(database) {
                try await database.transaction { db in
                    try await db.execute("UPDATE run_leases SET owner = 'first', expires_at = 1 WHERE run_id = 2")
                }
            }
            let receiver = try await OTLPTestReceiver.start()
            var observed = second
            observed.telemetry.exporters["collector"] = ExporterSettings(
                serviceName: "tracetest", sampling: 100, metricsReaderInterval: .seconds(10),
                exporterType: "collector", collectorEndpoint: receiver.grpcEndpoint)
            observed.server.telemetry.exporter = "collector"
            try await withRunningServer(observed) { b in
                _ = try await b.waitFor("/api/tests/waits/run/2") { _ in true }
                #expect(try await leaseHolder(b, testID: "waits", runID: 2, becomes: "second"))
                try await b.export([TestSpan(traceID: traces.1, name: "work")])
                let taken = try await b.waitForRun("waits", 2)
                #expect(taken["state"] as? String == "FINISHED", "\(taken["lastErrorState"] ?? "")")
            }
            let metrics = try #require(try receiver.metricExports().last)
            #expect(metrics.metric("tracetest.runs.lease_takeovers")?.points.first?.value == 1)
        }
    }

    @Test("two servers on one database: a run on one finishes with spans the other received, before and after it began")
    func spansAcrossServers() async throws {
        try await withSharedDatabaseServers { first, second in
            // The trace counts as complete once its span count holds for a few polls: 2 s apart, so that the span
            // sent after the run began arrives in time on a busy machine.
            let profile = try Provisioning.parse(
                pollingProfileYAML(retryDelay: "2s", timeout: "30s"), source: "profile.yaml")
            try await withRunningServer(first, provisioning: profile) { a in
                try await withRunningServer(second) { b in
                    try await b.create(
                        "/api/tests", RunEngineTests.traceIDTest(id: "shared", specs: RunEngineTests.oneWorkSpan))
                    let traceID = TraceID.random().hex
                    let root = SpanIDs.random()
                    // A span that reaches the first server before the run exists, on the second server.
                    try await a.export([TestSpan(traceID: traceID, spanID: root, name: "request")])
                    try await Task.sleep(for: .milliseconds(300))
                    _ = try await b.startRun("shared", RunEngineTests.variables(traceID: traceID))
                    _ = try await b.waitFor("/api/tests/shared/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                    // And one after.
                    try await a.export([TestSpan(traceID: traceID, parentID: root, name: "work")])
                    let run = try await b.waitForRun("shared", 1)
                    #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
                    #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true)
                    let flat = (run["trace"] as? [String: Any])?["flat"] as? [String: [String: Any]] ?? [:]
                    let names = Set(flat.values.compactMap { $0["name"] as? String })
                    #expect(names.isSuperset(of: ["request", "work"]), "\(names)")
                }
            }
        }
    }

    @Test("two servers on one database: a run created where no slot is free is taken by the idle server")
    func queueAcrossServers() async throws {
        try await withSharedDatabaseServers { first, second in
            var full = first
            full.server.maxParallelRuns = 1
            let profile = try Provisioning.parse(pollingProfileYAML(timeout: "40s"), source: "profile.yaml")
            try await withRunningServer(full, provisioning: profile) { a in
                try await withRunningServer(second) { b in
                    try await a.create(
                        "/api/tests", RunEngineTests.traceIDTest(id: "queued", specs: RunEngineTests.oneWorkSpan))
                    let traces = (TraceID.random().hex, TraceID.random().hex)
                    _ = try await a.startRun("queued", RunEngineTests.variables(traceID: traces.0))
                    _ = try await a.waitFor("/api/tests/queued/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                    // The first server's one slot is taken: the second run goes to the queue, the second server
                    // takes it (it is told, and looks every third of a lease duration), not after a lease duration
                    // (30 s).
                    _ = try await a.startRun("queued", RunEngineTests.variables(traceID: traces.1))
                    _ = try await a.waitFor("/api/tests/queued/run/2", timeout: .seconds(20)) {
                        $0["state"] as? String == "AWAITING_TRACE"
                    }
                    #expect(try await leaseHolder(a, testID: "queued", runID: 1, becomes: "first"))
                    #expect(try await leaseHolder(a, testID: "queued", runID: 2, becomes: "second"))
                    try await a.export([
                        TestSpan(traceID: traces.0, name: "work"), TestSpan(traceID: traces.1, name: "work"),
                    ])
                    for runID in [1, 2] {
                        let run = try await a.waitForRun("queued", runID)
                        #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
                        #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true)
                    }
                }
            }
        }
    }

    @Test("two servers on one database: a stop sent to one ends the run the other executes, once, STOPPED")
    func stopAcrossServers() async throws {
        try await withSharedDatabaseServers { first, second in
            let profile = try Provisioning.parse(pollingProfileYAML(timeout: "30s"), source: "profile.yaml")
            try await withRunningServer(first, provisioning: profile) { a in
                try await withRunningServer(second) { b in
                    try await a.create("/api/tests", RunEngineTests.traceIDTest(id: "long"))
                    _ = try await a.startRun("long", RunEngineTests.variables(traceID: TraceID.random().hex))
                    _ = try await a.waitFor("/api/tests/long/run/1") { $0["state"] as? String == "AWAITING_TRACE" }
                    #expect(try await b.post("/api/tests/long/run/1/stop", "").status == 200)
                    let stopped = try await b.waitForRun("long", 1, timeout: .seconds(10))
                    #expect(stopped["state"] as? String == "STOPPED")
                    // The server that executed it ended it: its lease is given up and its events say so once.
                    #expect(try await leaseHolder(a, testID: "long", runID: 1, becomes: nil))
                    let events = try await a.get("/api/tests/long/run/1/events").json() as? [[String: Any]] ?? []
                    #expect(events.filter { $0["type"] as? String == "STOPPED_INFO" }.count == 1, "\(events)")
                }
            }
        }
    }

    @Test("the server logs one line per finished run, and a warning with the reason for each failed one")
    func runLogLines() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            try await withTemporaryDirectory { directory in
                try configurationYAML(configuration).write(
                    toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                try await Python.withDemoApp(otlpPort: 1) { appPort in
                    let server = try ServerProcess(["serve"], in: directory)
                    let api = TestAPI(port: try await server.waitUntilListening())
                    try await api.create(
                        "/api/tests",
                        #"{"type":"Test","spec":{"id":"passes","name":"Passes","skipTraceCollection":true,"trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://127.0.0.1:\#(appPort)/pokemon/1"}}}}"#
                    )
                    try await api.create(
                        "/api/tests",
                        #"{"type":"Test","spec":{"id":"fails","name":"Fails","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://127.0.0.1:1/"}}}}"#
                    )
                    #expect(try await api.runToEnd("passes")["state"] as? String == "FINISHED")
                    #expect(try await api.runToEnd("fails")["state"] as? String == "TRIGGER_FAILED")
                    try await server.waitForLog("run passes/1 FINISHED in ")
                    try await server.waitForLog(
                        "run fails/1 ended TRIGGER_FAILED: could not connect to http://127.0.0.1:1/")
                    #expect(server.log.contains(" warning tracetest: [TracetestEngine] run fails/1 ended"), "a warning")
                    server.signal(SIGTERM)
                    _ = try await server.waitForExit()
                }
            }
        }
    }
}
