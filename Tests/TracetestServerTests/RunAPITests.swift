import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

/// Test runs end to end over the API (engine-telemetry.md §1–2, api-resources.md §3–4): the server triggers the
/// demo app of `Tests/Demo`, which exports its spans over OTLP to the server, and checks the specs. On both backends.
@Suite("Test runs")
struct RunAPITests {
    /// A test of `GET /pokemon/1` on the demo app with `specs` and the output `POKEMON_NAME`.
    static func pokemonTest(id: String, url: String, specs: String) -> String {
        """
        {"type":"Test","spec":{"id":"\(id)","name":"Get a pokemon","trigger":{"type":"http","httpRequest":{
          "method":"GET","url":"\(url)","headers":[{"key":"Accept","value":"application/json"}]}},
          "specs":\(specs),
          "outputs":[{"name":"POKEMON_NAME","selector":"span[name=\\"Tracetest trigger\\"]",
            "value":"attr:tracetest.response.body | json_path '$.name'"}]}}
        """
    }

    static let passingSpecs = """
        [{"name":"the API answers 200","selector":"span[tracetest.span.type=\\"http\\" name=\\"GET /pokemon/:id\\"]",
          "assertions":["attr:http.status_code = 200"]},
         {"name":"the database is queried","selector":"span[tracetest.span.type=\\"database\\"]",
          "assertions":["attr:db.system = \\"sqlite\\"","attr:tracetest.span.duration < 1s"]},
         {"name":"the response","selector":"span[name=\\"Tracetest trigger\\"]",
          "assertions":["attr:tracetest.response.status = 200"]}]
        """

    static let failingSpecs = """
        [{"name":"the API answers 201","selector":"span[tracetest.span.type=\\"http\\" name=\\"GET /pokemon/:id\\"]",
          "assertions":["attr:http.status_code = 201"]}]
        """

    static func traceIDTest(id: String, specs: String = "[]") -> String {
        """
        {"type":"Test","spec":{"id":"\(id)","name":"By trace id",
          "trigger":{"type":"traceid","traceid":{"id":"${var:TRACE_ID}"}},"specs":\(specs)}}
        """
    }

    /// A running server on `backend` and the demo app exporting to it; `body` gets the app's base URL.
    func withDemo(_ backend: TestBackend, _ body: (TestAPI, String) async throws -> Void) async throws {
        try await withTestServer(backend) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withDemoApp(otlpPort: otlp) { port in try await body(api, "http://127.0.0.1:\(port)") }
        }
    }

    static func types(_ events: [[String: Any]]) -> [String] { events.compactMap { $0["type"] as? String } }

    func events(_ api: TestAPI, _ testID: String, _ runID: Int) async throws -> [[String: Any]] {
        let response = try await api.get("/api/tests/\(testID)/run/\(runID)/events")
        #expect(response.status == 200)
        return try #require(try response.json() as? [[String: Any]])
    }

    @Test(
        "a passing HTTP test: trigger, trace from the app's SDK, specs in order, outputs, events",
        arguments: TestBackend.allCases)
    func passingRun(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests", Self.pokemonTest(id: "pokemon", url: app + "/pokemon/1", specs: Self.passingSpecs))
            let started = try await api.startRun(testID)
            #expect(started["state"] as? String == "CREATED")
            #expect(started["id"] as? Int == 1)
            let run = try await api.waitForRun(testID, 1)

            #expect(run["state"] as? String == "FINISHED")
            #expect(run["lastErrorState"] == nil)
            let result = try #require(run["result"] as? [String: Any])
            #expect(result["allPassed"] as? Bool == true)
            let specResults = try #require(result["results"] as? [[String: Any]])
            #expect(specResults.count == 3)
            let firstSelector = try #require(specResults.first?["selector"] as? [String: Any])
            #expect(firstSelector["query"] as? String == #"span[tracetest.span.type="http" name="GET /pokemon/:id"]"#)
            let gates = try #require(run["requiredGatesResult"] as? [String: Any])
            #expect(gates["passed"] as? Bool == true)
            #expect(gates["required"] as? [String] == ["test-specs"])

            let outputs = try #require(run["outputs"] as? [[String: Any]])
            #expect(outputs.first?["name"] as? String == "POKEMON_NAME")
            #expect(outputs.first?["value"] as? String == "pikachu")

            let trigger = try #require((run["triggerResult"] as? [String: Any])?["triggerResult"] as? [String: Any])
            let http = try #require(trigger["http"] as? [String: Any])
            #expect(http["statusCode"] as? Int == 200)
            #expect((http["body"] as? String)?.contains("pikachu") == true)

            // The trace: rooted at the trigger span, the app's server span its child, the SDK's spans all present.
            let trace = try #require(run["trace"] as? [String: Any])
            #expect(trace["traceId"] as? String == run["traceId"] as? String)
            let tree = try #require(trace["tree"] as? [String: Any])
            #expect(tree["name"] as? String == "Tracetest trigger")
            #expect(tree["id"] as? String == run["spanId"] as? String)
            let attributes = try #require(tree["attributes"] as? [String: String])
            #expect(attributes["tracetest.response.status"] == "200")
            let flat = try #require(trace["flat"] as? [String: [String: Any]])
            let names = Set(flat.values.compactMap { $0["name"] as? String })
            #expect(
                names.isSuperset(of: ["Tracetest trigger", "GET /pokemon/:id", "SELECT pokemon", "GET /types/:name"]))
            let server = try #require(flat.values.first { $0["name"] as? String == "GET /pokemon/:id" })
            #expect(server["parentId"] as? String == run["spanId"] as? String)

            for field in [
                "createdAt", "serviceTriggeredAt", "serviceTriggerCompletedAt", "obtainedTraceAt", "completedAt",
            ] {
                let text = try #require(run[field] as? String, "\(field)")
                #expect(!text.hasPrefix("0001") && !text.hasPrefix("1970"), "\(field) = \(text)")
            }

            let types = Self.types(try await events(api, testID, 1))
            let expected = [
                "CREATED_INFO", "RESOLVE_START", "RESOLVE_SUCCESS", "EXECUTION_START", "EXECUTION_SUCCESS",
                "FETCHING_START", "POLLING_START", "POLLING_SUCCESS", "FETCHING_SUCCESS", "TEST_SPECS_RUN_START",
                "TEST_SPECS_RUN_SUCCESS",
            ]
            #expect(types.filter(expected.contains) == expected, "\(types)")
            #expect(types.contains("OTLP_SERVER_RECEIVED_SPANS"))

            // The test summary counts the run.
            let test = try await api.get("/api/tests/\(testID)", headers: augmentedHeaders).object()
            let summary = try #require((test["spec"] as? [String: Any])?["summary"] as? [String: Any])
            #expect(summary["runs"] as? Int == 1)
            let last = try #require(summary["lastRun"] as? [String: Any])
            #expect(last["passes"] as? Int == 4)
            #expect(last["fails"] as? Int ?? 0 == 0)
        }
    }

    @Test(
        "a failing spec: FINISHED with allPassed false, the test-specs gate failed, JUnit with the failure",
        arguments: TestBackend.allCases)
    func failingRunAndJUnit(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests", Self.pokemonTest(id: "failing", url: app + "/pokemon/1", specs: Self.failingSpecs))
            let run = try await api.runToEnd(testID)
            #expect(run["state"] as? String == "FINISHED")
            let result = try #require(run["result"] as? [String: Any])
            #expect(result["allPassed"] as? Bool == false)
            let gates = try #require(run["requiredGatesResult"] as? [String: Any])
            #expect(gates["passed"] as? Bool == false)
            #expect(gates["required"] as? [String] == ["test-specs"])
            // Every gate that failed is listed, required or not; the demo app's trace breaks analyzer rules too.
            #expect((gates["failed"] as? [String])?.contains("test-specs") == true)
            let spanResult = try #require(
                ((result["results"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first?["spanResults"]
                    as? [[String: Any]])
            #expect(spanResult.first?["observedValue"] as? String == "200")
            #expect(spanResult.first?["passed"] as? Bool == false)

            let junit = try await api.get("/api/tests/\(testID)/run/1/junit.xml")
            #expect(junit.status == 200)
            #expect(junit.header("Content-Type") == "application/xml; charset=UTF-8")
            #expect(junit.body.contains(#"<testsuites name="Get a pokemon" tests="1" failures="1" errors="0""#))
            #expect(junit.body.contains(#"<failure type="attr:http.status_code = 201" message="200">"#))
            #expect(try await api.get("/api/tests/\(testID)/run/99/junit.xml").status == 404)
        }
    }

    @Test("runs list newest first with X-Total-Count; delete removes a run", arguments: TestBackend.allCases)
    func listAndDelete(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests", Self.pokemonTest(id: "listed", url: app + "/pokemon/1", specs: Self.failingSpecs))
            _ = try await api.runToEnd(testID)
            _ = try await api.runToEnd(testID)
            let list = try await api.get("/api/tests/\(testID)/run")
            #expect(list.status == 200)
            #expect(list.header("X-Total-Count") == "2")
            let runs = try #require(try list.json() as? [[String: Any]])
            #expect(runs.compactMap { $0["id"] as? Int } == [2, 1])
            #expect(try await api.delete("/api/tests/\(testID)/run/1").status == 204)
            #expect(try await api.get("/api/tests/\(testID)/run/1").status == 404)
            #expect(try await api.get("/api/tests/\(testID)/run").header("X-Total-Count") == "1")
            #expect(try await api.get("/api/tests/nope/run").status == 404)
        }
    }

    @Test(
        "variables from a variable set and inline values reach the trigger; missing ones are refused with 422",
        arguments: TestBackend.allCases)
    func variables(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            try await api.create(
                "/api/variablesets",
                #"{"type":"VariableSet","spec":{"id":"demo","name":"demo","values":[{"key":"BASE_URL","value":"\#(app)"}]}}"#
            )
            let testID = try await api.create(
                "/api/tests",
                Self.pokemonTest(id: "vars", url: "${var:BASE_URL}/pokemon/${var:POKEMON_ID}", specs: Self.passingSpecs)
            )

            let refused = try await api.post("/api/tests/\(testID)/run", #"{"variableSetId":"demo"}"#)
            #expect(refused.status == 422)
            let missing = try #require(try refused.object()["missingVariables"] as? [[String: Any]])
            #expect(missing.first?["testId"] as? String == testID)
            #expect(
                (missing.first?["variables"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["POKEMON_ID"]
            )
            #expect(try await api.post("/api/tests/\(testID)/run", #"{"variableSetId":"nope"}"#).status == 404)

            let run = try await api.runToEnd(
                testID, #"{"variableSetId":"demo","variables":[{"key":"POKEMON_ID","value":"2"}]}"#)
            #expect(run["state"] as? String == "FINISHED")
            let resolved = try #require((run["resolvedTrigger"] as? [String: Any])?["httpRequest"] as? [String: Any])
            #expect(resolved["url"] as? String == app + "/pokemon/2")
            #expect((run["outputs"] as? [[String: Any]])?.first?["value"] as? String == "bulbasaur")
            let values = try #require((run["variableSet"] as? [String: Any])?["values"] as? [[String: Any]])
            #expect(values.contains { $0["key"] as? String == "POKEMON_ID" && $0["value"] as? String == "2" })

            // Refused again, now with the value of the last run as the default.
            let again = try await api.post("/api/tests/\(testID)/run", #"{"variableSetId":"demo"}"#)
            #expect(again.status == 422)
            let variable = (try again.object()["missingVariables"] as? [[String: Any]])?.first?["variables"]
            #expect((variable as? [[String: Any]])?.first?["defaultValue"] as? String == "2")
        }
    }

    @Test("a suite of three steps chains each step's outputs into the next", arguments: TestBackend.allCases)
    func suiteChainsOutputs(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            try await api.create(
                "/api/tests",
                #"""
                {"type":"Test","spec":{"id":"create","name":"Create","trigger":{"type":"http","httpRequest":{
                  "method":"POST","url":"\#(app)/pokemon","body":"{\"name\": \"${var:NEW_NAME}\"}"}},
                  "specs":[{"selector":"span[tracetest.span.type=\"database\"]","assertions":["attr:db.operation = \"INSERT\""]}],
                  "outputs":[{"name":"NEW_ID","selector":"span[name=\"Tracetest trigger\"]",
                    "value":"attr:tracetest.response.body | json_path '$.id'"}]}}
                """#)
            try await api.create(
                "/api/tests",
                #"""
                {"type":"Test","spec":{"id":"read","name":"Read","trigger":{"type":"http","httpRequest":{
                  "method":"GET","url":"\#(app)/pokemon/${var:NEW_ID}"}},
                  "specs":[{"selector":"span[name=\"Tracetest trigger\"]","assertions":["attr:tracetest.response.status = 200"]}],
                  "outputs":[{"name":"FETCHED_NAME","selector":"span[name=\"Tracetest trigger\"]",
                    "value":"attr:tracetest.response.body | json_path '$.name'"}]}}
                """#)
            try await api.create(
                "/api/tests",
                #"""
                {"type":"Test","spec":{"id":"kind","name":"Type","trigger":{"type":"http","httpRequest":{
                  "method":"GET","url":"\#(app)/types/${var:FETCHED_NAME}"}},
                  "specs":[{"selector":"span[name=\"Tracetest trigger\"]","assertions":["attr:tracetest.response.body contains \"normal\""]}]}}
                """#)
            let suiteID = try await api.create(
                "/api/testsuites",
                #"{"type":"TestSuite","spec":{"id":"chain","name":"Chain","steps":["create","read","kind"]}}"#)

            let refused = try await api.post("/api/testsuites/\(suiteID)/run", "{}")
            #expect(refused.status == 422)
            #expect(refused.body.contains("NEW_NAME"))
            #expect(!refused.body.contains("NEW_ID"))

            let started = try await api.post(
                "/api/testsuites/\(suiteID)/run", #"{"variables":[{"key":"NEW_NAME","value":"mew"}]}"#)
            #expect(started.status == 200)
            let suiteRunID = try runID(of: try started.object())
            let suiteRun = try await api.waitFor("/api/testsuites/\(suiteID)/run/\(suiteRunID)") {
                ["FINISHED", "FAILED"].contains($0["state"] as? String ?? "")
            }
            #expect(suiteRun["state"] as? String == "FINISHED")
            let steps = try #require(suiteRun["steps"] as? [[String: Any]])
            #expect(steps.count == 3)
            #expect(steps.allSatisfy { $0["state"] as? String == "FINISHED" })
            #expect(steps.allSatisfy { ($0["result"] as? [String: Any])?["allPassed"] as? Bool == true })
            func url(_ step: [String: Any]) -> String? {
                ((step["resolvedTrigger"] as? [String: Any])?["httpRequest"] as? [String: Any])?["url"] as? String
            }
            let newID = try #require((steps[0]["outputs"] as? [[String: Any]])?.first?["value"] as? String)
            #expect(url(steps[1]) == "\(app)/pokemon/\(newID)")
            #expect(url(steps[2]) == "\(app)/types/mew")
            #expect((steps[1]["metadata"] as? [String: String])?["step"] == "2")
            #expect(suiteRun["allStepsRequiredGatesPassed"] as? Bool == true)

            let list = try await api.get("/api/testsuites/\(suiteID)/run")
            #expect((try list.json() as? [[String: Any]])?.count == 1)
            // Pass and fail counts: one passing span-level result per step, in the run and in the suite's summary.
            #expect(suiteRun["pass"] as? Int == 3 && suiteRun["fail"] as? Int == 0, "\(suiteRun["pass"] ?? "")")
            let listed = try #require((try list.json() as? [[String: Any]])?.first)
            #expect(listed["pass"] as? Int == 3)
            let suite = try await api.get("/api/testsuites/\(suiteID)", headers: augmentedHeaders).object()
            let lastRun =
                ((suite["spec"] as? [String: Any])?["summary"] as? [String: Any])?["lastRun"] as? [String: Any]
            #expect(lastRun?["passes"] as? Int == 3 && lastRun?["fails"] as? Int == 0, "\(lastRun ?? [:])")
        }
    }

    @Test(
        "rerun evaluates the current test version against the same trace, without triggering again",
        arguments: TestBackend.allCases)
    func rerun(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests", Self.pokemonTest(id: "rerun", url: app + "/pokemon/1", specs: Self.passingSpecs))
            let first = try await api.runToEnd(testID)
            #expect((first["result"] as? [String: Any])?["allPassed"] as? Bool == true)
            try await api.create(
                "/api/tests", Self.pokemonTest(id: "rerun", url: app + "/pokemon/1", specs: Self.failingSpecs))

            let response = try await api.post("/api/tests/\(testID)/run/1/rerun", "")
            #expect(response.status == 200)
            let created = try response.object()
            #expect(created["id"] as? Int == 2)
            let second = try await api.waitForRun(testID, 2)
            #expect(second["state"] as? String == "FINISHED")
            #expect(second["testVersion"] as? Int == 2)
            #expect(second["traceId"] as? String == first["traceId"] as? String)
            #expect(second["serviceTriggeredAt"] as? String == first["serviceTriggeredAt"] as? String)
            #expect((second["result"] as? [String: Any])?["allPassed"] as? Bool == false)
            let types = Self.types(try await events(api, testID, 2))
            #expect(!types.contains("EXECUTION_START"))
            #expect(try await api.post("/api/tests/\(testID)/run/42/rerun", "").status == 404)
        }
    }

    @Test("stop ends a run waiting for its trace in STOPPED with a STOPPED_INFO event", arguments: TestBackend.allCases)
    func stop(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let testID = try await api.create("/api/tests", Self.traceIDTest(id: "stop"))
            let run = try await api.startRun(
                testID, #"{"variables":[{"key":"TRACE_ID","value":"\#(TraceID.random().hex)"}]}"#)
            let id = try runID(of: run)
            _ = try await api.waitFor("/api/tests/\(testID)/run/\(id)") { $0["state"] as? String == "AWAITING_TRACE" }
            let stopped = try await api.post("/api/tests/\(testID)/run/\(id)/stop", "")
            #expect(stopped.status == 200)
            #expect(try stopped.object()["result"] as? String == "success")
            let final = try await api.waitForRun(testID, id)
            #expect(final["state"] as? String == "STOPPED")
            #expect((final["completedAt"] as? String)?.hasPrefix("1970") == false)
            #expect(Self.types(try await events(api, testID, id)).last == "STOPPED_INFO")
            // Stopping again, or a run that does not exist, is still a success.
            #expect(try await api.post("/api/tests/\(testID)/run/\(id)/stop", "").status == 200)
            #expect(try await api.post("/api/tests/\(testID)/run/77/stop", "").status == 200)
        }
    }

    @Test("server.maxParallelRuns bounds the runs executing at once; the next starts when one ends")
    func parallelRuns() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.server.maxParallelRuns = 1
            try await withRunningServer(configuration) { api in
                let testID = try await api.create("/api/tests", Self.traceIDTest(id: "queued"))
                let body = { #"{"variables":[{"key":"TRACE_ID","value":"\#(TraceID.random().hex)"}]}"# }
                let first = try runID(of: try await api.startRun(testID, body()))
                let second = try runID(of: try await api.startRun(testID, body()))
                _ = try await api.waitFor("/api/tests/\(testID)/run/\(first)") {
                    $0["state"] as? String == "AWAITING_TRACE"
                }
                // The first run waits for a trace that never comes, so the second is still queued.
                let queued = try await api.get("/api/tests/\(testID)/run/\(second)").object()
                #expect(queued["state"] as? String == "CREATED")
                _ = try await api.post("/api/tests/\(testID)/run/\(first)/stop", "")
                _ = try await api.waitFor("/api/tests/\(testID)/run/\(second)") {
                    $0["state"] as? String == "AWAITING_TRACE"
                }
                _ = try await api.post("/api/tests/\(testID)/run/\(second)/stop", "")
                #expect(try await api.waitForRun(testID, second)["state"] as? String == "STOPPED")
            }
        }
    }

    @Test("skipPolling ends the wait at once and evaluates what arrived", arguments: TestBackend.allCases)
    func skipPolling(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let testID = try await api.create(
                "/api/tests",
                Self.traceIDTest(
                    id: "skip",
                    specs:
                        #"[{"selector":"span[name=\"Tracetest trigger\"]","assertions":["attr:tracetest.selected_spans.count = 1"]}]"#
                ))
            let run = try await api.startRun(
                testID, #"{"variables":[{"key":"TRACE_ID","value":"\#(TraceID.random().hex)"}]}"#)
            let id = try runID(of: run)
            _ = try await api.waitFor("/api/tests/\(testID)/run/\(id)") { $0["state"] as? String == "AWAITING_TRACE" }
            #expect(try await api.post("/api/tests/\(testID)/run/\(id)/skipPolling", "").status == 200)
            let final = try await api.waitForRun(testID, id, timeout: .seconds(10))
            #expect(final["state"] as? String == "FINISHED")
            #expect((final["result"] as? [String: Any])?["allPassed"] as? Bool == true)
            #expect(Self.types(try await events(api, testID, id)).contains("POLLING_SKIPPED"))
        }
    }

    @Test(
        "a TraceID test collects the spans an OpenTelemetry SDK sent with that trace id",
        arguments: TestBackend.allCases)
    func traceIDTrigger(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests",
                Self.traceIDTest(
                    id: "byid",
                    specs:
                        #"[{"selector":"span[tracetest.span.type=\"database\"]","assertions":["attr:db.system = \"sqlite\""]}]"#
                ))
            let traceID = TraceID.random().hex
            let run = try await api.startRun(testID, #"{"variables":[{"key":"TRACE_ID","value":"\#(traceID)"}]}"#)
            let id = try runID(of: run)
            _ = try await api.waitFor("/api/tests/\(testID)/run/\(id)") { $0["state"] as? String == "AWAITING_TRACE" }
            // The app is called by someone else with that trace id; its SDK exports the spans.
            let call = try await TestAPI(port: Int(app.split(separator: ":").last!)!).get(
                "/pokemon/3", headers: ["traceparent": "00-\(traceID)-\(SpanID.random().hex)-01"])
            #expect(call.status == 200)
            let final = try await api.waitForRun(testID, id)
            #expect(final["state"] as? String == "FINISHED")
            #expect(final["traceId"] as? String == traceID)
            #expect((final["result"] as? [String: Any])?["allPassed"] as? Bool == true)
            let trigger = (final["triggerResult"] as? [String: Any])?["triggerResult"] as? [String: Any]
            #expect((trigger?["traceid"] as? [String: Any])?["id"] as? String == traceID)
        }
    }

    @Test(
        "an unreachable host ends the run in TRIGGER_FAILED with the reason and its events",
        arguments: TestBackend.allCases)
    func unreachableHost(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let testID = try await api.create(
                "/api/tests", Self.pokemonTest(id: "down", url: "http://127.0.0.1:1/pokemon/1", specs: "[]"))
            let run = try await api.runToEnd(testID)
            #expect(run["state"] as? String == "TRIGGER_FAILED")
            let reason = run["lastErrorState"] as? String ?? ""
            #expect(reason.contains("could not connect to http://127.0.0.1:1/pokemon/1"), "\(reason)")
            let error = ((run["triggerResult"] as? [String: Any])?["triggerResult"] as? [String: Any])?["error"]
            #expect((error as? [String: Any])?["connectionError"] as? Bool == true)
            #expect((error as? [String: Any])?["targetsLocalhost"] as? Bool == true)
            let types = Self.types(try await events(api, testID, 1))
            #expect(types.contains("HTTP_UNREACHABLE_HOST_ERROR"))
            #expect(types.contains("EXECUTION_ERROR"))
            #expect(!types.contains("FETCHING_START"))
        }
    }

    @Test(
        "a trigger type this server does not run ends in TRIGGER_FAILED with a clear message",
        arguments: TestBackend.allCases)
    func unsupportedTrigger(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let testID = try await api.create(
                "/api/tests",
                #"{"type":"Test","spec":{"id":"pw","name":"Playwright","trigger":{"type":"playwrightengine","playwrightEngine":{"target":"http://x/"}}}}"#
            )
            let run = try await api.runToEnd(testID)
            #expect(run["state"] as? String == "TRIGGER_FAILED")
            #expect(
                run["lastErrorState"] as? String
                    == "the playwrightengine trigger is not supported by this server yet (supported: http, grpc, "
                    + "graphql, kafka, traceid (and cypress, playwright, artillery, k6))")
        }
    }

    @Test(
        "assertions read the test's outputs as variables; an unresolved output warns and is merged empty",
        arguments: TestBackend.allCases)
    func outputsAreVariablesOfTheAssertions(backend: TestBackend) async throws {
        try await withDemo(backend) { api, app in
            let testID = try await api.create(
                "/api/tests",
                """
                {"type":"Test","spec":{"id":"outputs","name":"Outputs","trigger":{"type":"http","httpRequest":{
                  "method":"GET","url":"\(app)/pokemon/1"}},
                  "specs":[{"selector":"span[name=\\"Tracetest trigger\\"]","assertions":[
                    "attr:tracetest.response.body | json_path '$.name' = var:POKEMON_NAME",
                    "var:POKEMON_NAME = \\"pikachu\\"", "var:NOWHERE = \\"\\""]}],
                  "outputs":[
                    {"name":"POKEMON_NAME","selector":"span[name=\\"Tracetest trigger\\"]",
                     "value":"attr:tracetest.response.body | json_path '$.name'"},
                    {"name":"NOWHERE","selector":"span[name=\\"no such span\\"]","value":"attr:http.route"}]}}
                """)
            let run = try await api.runToEnd(testID)
            #expect(run["state"] as? String == "FINISHED")
            let result = try #require(run["result"] as? [String: Any])
            #expect(result["allPassed"] as? Bool == true, "\(result)")
            let variables = try #require((run["variableSet"] as? [String: Any])?["values"] as? [[String: Any]])
            #expect(
                variables.contains { $0["key"] as? String == "POKEMON_NAME" && $0["value"] as? String == "pikachu" })
            #expect(variables.contains { $0["key"] as? String == "NOWHERE" && $0["value"] as? String == "" })
            let events = try await events(api, testID, 1)
            let warning = try #require(events.first { $0["type"] as? String == "OUTPUT_GENERATION_WARNING" })
            #expect(warning["title"] as? String == "Output 'NOWHERE' not generated")
            #expect(
                (warning["description"] as? String)?.contains(#"cannot find matching spans for output "NOWHERE""#)
                    == true)
        }
    }

    @Test("run requests for unknown tests, bad bodies and unknown gates are 4xx")
    func badRunRequests() async throws {
        try await withTestServer(.sqlite) { api in
            #expect(try await api.post("/api/tests/nope/run", "{}").status == 404)
            let testID = try await api.create("/api/tests", Self.traceIDTest(id: "t"))
            #expect(try await api.post("/api/tests/\(testID)/run", "{\"unknown\": 1}").status == 400)
            #expect(try await api.post("/api/tests/\(testID)/run", "{\"requiredGates\": [\"nope\"]}").status == 400)
            #expect(try await api.get("/api/tests/\(testID)/run/abc").status == 400)
            #expect(try await api.get("/api/tests/\(testID)/run/5").status == 404)
            #expect(try await api.get("/api/tests/\(testID)/run/5/events").body == "[]\n")
        }
    }
}
