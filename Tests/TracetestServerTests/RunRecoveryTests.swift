import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

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
                                "the server stopped while the trigger was running") == true)
                        #expect((slow["completedAt"] as? String)?.hasPrefix("1970") == false)
                    }
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
