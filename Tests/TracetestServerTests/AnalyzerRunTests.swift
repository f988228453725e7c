import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The linter step of real runs against the demo app (ui-analyzer.md Parts 2–3, engine-telemetry.md §1.3): the
/// analyzer gates decide `requiredGatesResult` as the Analyzer and TestRunner resources say.
@Suite("Analyzer in runs")
struct AnalyzerRunTests {
    /// Changes the current analyzer with `change` applied to its spec, and requires `gates` in the TestRunner.
    func configure(_ api: TestAPI, gates: [String], _ change: (inout [String: Any]) -> Void) async throws {
        var analyzer = try await api.get("/api/analyzers/current").object()
        var spec = try #require(analyzer["spec"] as? [String: Any])
        change(&spec)
        analyzer["spec"] = spec
        let body = String(decoding: try JSONSerialization.data(withJSONObject: analyzer), as: UTF8.self)
        let updated = try await api.put("/api/analyzers", body, headers: ["Content-Type": "application/json"])
        #expect(updated.status == 200, "\(updated)")
        let runner = try JSONSerialization.data(withJSONObject: [
            "type": "TestRunner", "spec": ["id": "current", "name": "runner", "requiredGates": gates],
        ])
        let saved = try await api.put(
            "/api/testrunners", String(decoding: runner, as: UTF8.self), headers: ["Content-Type": "application/json"])
        #expect(saved.status == 200, "\(saved)")
    }

    func run(_ api: TestAPI, _ app: String, id: String) async throws -> [String: Any] {
        let testID = try await api.create(
            "/api/tests", RunAPITests.pokemonTest(id: id, url: app + "/pokemon/1", specs: RunAPITests.passingSpecs))
        let run = try await api.runToEnd(testID)
        #expect(run["state"] as? String == "FINISHED")
        return run
    }

    func gates(_ run: [String: Any]) -> (passed: Bool?, failed: [String]) {
        let result = run["requiredGatesResult"] as? [String: Any]
        return (result?["passed"] as? Bool, result?["failed"] as? [String] ?? [])
    }

    @Test("analyzer-score fails the run when minimumScore is above the trace's score and passes when below")
    func scoreGate() async throws {
        try await RunAPITests().withDemo(.sqlite) { api, app in
            try await configure(api, gates: ["analyzer-score"]) { $0["minimumScore"] = 100 }
            let strict = try await run(api, app, id: "strict")
            let score = try #require((strict["linter"] as? [String: Any])?["score"] as? Int)
            #expect(score < 100, "the demo app's trace breaks some rules")
            #expect(gates(strict).passed == false)
            #expect(gates(strict).failed.contains("analyzer-score"))

            try await configure(api, gates: ["analyzer-score"]) { $0["minimumScore"] = score }
            let lenient = try await run(api, app, id: "lenient")
            #expect(gates(lenient).passed == true)
            #expect(!gates(lenient).failed.contains("analyzer-score"))
            let events = try await api.get("/api/tests/lenient/run/1/events").json() as? [[String: Any]] ?? []
            let types = events.compactMap { $0["type"] as? String }
            #expect(types.contains("TRACE_LINTER_START") && types.contains("TRACE_LINTER_SUCCESS"))
        }
    }

    @Test("analyzer-rules fails the run while an error-level rule fails, and passes once those rules are warnings")
    func rulesGate() async throws {
        try await RunAPITests().withDemo(.sqlite) { api, app in
            try await configure(api, gates: ["analyzer-rules"]) { _ in }
            let failing = try await run(api, app, id: "rules")
            #expect((failing["linter"] as? [String: Any])?["passed"] as? Bool == false)
            #expect(gates(failing).passed == false)
            #expect(gates(failing).failed.contains("analyzer-rules"))

            try await configure(api, gates: ["analyzer-rules"]) { spec in
                let plugins = spec["plugins"] as? [[String: Any]] ?? []
                spec["plugins"] = plugins.map { plugin in
                    var plugin = plugin
                    plugin["rules"] = (plugin["rules"] as? [[String: Any]] ?? []).map { rule in
                        var rule = rule
                        rule["errorLevel"] = "warning"
                        return rule
                    }
                    return plugin
                }
            }
            let warnings = try await run(api, app, id: "warnings")
            #expect((warnings["linter"] as? [String: Any])?["passed"] as? Bool == true)
            #expect(gates(warnings).passed == true)
        }
    }

    @Test("a disabled analyzer is skipped with its event and fails no gate")
    func disabled() async throws {
        try await RunAPITests().withDemo(.sqlite) { api, app in
            try await configure(api, gates: ["analyzer-score", "analyzer-rules", "test-specs"]) {
                $0["enabled"] = false
                $0["minimumScore"] = 100
            }
            let run = try await run(api, app, id: "skipped")
            #expect(gates(run).passed == true)
            #expect(gates(run).failed.isEmpty)
            let events = try await api.get("/api/tests/skipped/run/1/events").json() as? [[String: Any]] ?? []
            let types = events.compactMap { $0["type"] as? String }
            #expect(types.contains("TRACE_LINTER_SKIPPED"))
            #expect(!types.contains("TRACE_LINTER_START"))
        }
    }
}
