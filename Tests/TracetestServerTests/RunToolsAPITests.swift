import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The endpoints that read a finished run's trace or copy it (api-resources.md §3.1, §3.3): select, search-spans,
/// dry-run, expression resolve, export and import, the legacy run update, test definitions and versions. Each runs a
/// real test against the demo app first, on both backends.
@Suite("Run tools")
struct RunToolsAPITests {
    /// A server on `backend`, the demo app, and a finished passing run (run 1 of test `pokemon`).
    func withFinishedRun(
        _ backend: TestBackend,
        _ body: (TestAPI, _ run: [String: Any], _ flat: [String: [String: Any]]) async throws -> Void
    ) async throws {
        try await withTestServer(backend) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withDemoApp(otlpPort: otlp) { port in
                let testID = try await api.create(
                    "/api/tests",
                    RunAPITests.pokemonTest(
                        id: "pokemon", url: "http://127.0.0.1:\(port)/pokemon/1", specs: RunAPITests.passingSpecs))
                let run = try await api.runToEnd(testID)
                #expect(run["state"] as? String == "FINISHED")
                let flat = try #require((run["trace"] as? [String: Any])?["flat"] as? [String: [String: Any]])
                try await body(api, run, flat)
            }
        }
    }

    /// The ids of the spans named `name`.
    static func ids(named name: String, in flat: [String: [String: Any]]) -> Set<String> {
        Set(flat.filter { $0.value["name"] as? String == name }.keys)
    }

    /// Whether two decoded JSON values are equal (objects compared without regard to key order).
    static func sameJSON(_ left: Any?, _ right: Any?) throws -> Bool {
        func text(_ value: Any?) throws -> String {
            guard let value else { return "absent" }
            let data = try JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            return String(decoding: data, as: UTF8.self)
        }
        return try text(left) == text(right)
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    // MARK: the web UI's trace reads

    @Test(
        "the trace outline and a span by id give the run's spans as the trace shows them",
        arguments: TestBackend.allCases)
    func outlineAndSpan(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, run, flat in
            let response = try await api.get("/api/tests/pokemon/run/1/trace/outline")
            #expect(response.status == 200, "\(response)")
            let outline = try response.object()
            let trace = try #require(run["trace"] as? [String: Any])
            #expect(outline["traceId"] as? String == trace["traceId"] as? String)
            let start = try #require(Int64(outline["start"] as? String ?? ""))
            let rows = try #require(outline["spans"] as? [[Any]])
            #expect(rows.count == flat.count)
            #expect((rows.first?[1] as? String) == "", "the first row is the root")
            var seen: Set<String> = []
            for row in rows {
                let id = try #require(row[0] as? String)
                let span = try #require(flat[id], "outline span \(id) is in the trace")
                let parent = row[1] as? String ?? "?"
                #expect(parent == span["parentId"] as? String)
                #expect(parent.isEmpty || seen.contains(parent), "parents come before their children")
                seen.insert(id)
                #expect(row[2] as? String == span["name"] as? String)
                #expect(row[3] as? String == span["kind"] as? String)
                let attributes = span["attributes"] as? [String: String] ?? [:]
                #expect(row[4] as? String == attributes["service.name"] ?? "")
                // Milliseconds in the trace, nanoseconds in the outline.
                let startTime = try #require(span["startTime"] as? Int)
                let offset = try #require(row[5] as? Int)
                #expect((start + Int64(offset)) / 1_000_000 == Int64(startTime))
                #expect(row[6] as? Int ?? -1 >= 0)
                #expect(["unset", "ok", "error"].contains(row[7] as? String ?? ""))
            }

            let (id, expected) = try #require(flat.first { $0.value["name"] as? String == "SELECT pokemon" })
            let one = try await api.get("/api/tests/pokemon/run/1/trace/span/\(id)")
            #expect(one.status == 200, "\(one)")
            var shown = expected
            shown["children"] = nil
            #expect(try Self.sameJSON(try one.object(), shown))

            let unknown = try await api.get("/api/tests/pokemon/run/1/trace/span/0000000000000001")
            #expect(unknown.status == 404, "\(unknown)")
            #expect(unknown.body.contains("has no span 0000000000000001"))

            // The run without its trace, for refreshing a page cheaply.
            let light = try await api.get("/api/tests/pokemon/run/1?trace=false")
            let lightRun = try light.object()
            #expect((lightRun["trace"] as? [String: Any])?["flat"] == nil)
            #expect(try Self.sameJSON(lightRun["result"], run["result"]))
            #expect(lightRun["state"] as? String == "FINISHED")
        }
    }

    // MARK: select and search-spans

    @Test("select answers the selector's structure and the ids of the spans it picks", arguments: TestBackend.allCases)
    func select(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, _, flat in
            let selector = #"span[tracetest.span.type="database"]"#
            let response = try await api.get("/api/tests/pokemon/run/1/select?query=\(Self.query(selector))")
            #expect(response.status == 200, "\(response)")
            let body = try response.object()
            #expect(body["spanIds"] as? [String] == Array(Self.ids(named: "SELECT pokemon", in: flat)))
            let structure = try #require(body["selector"] as? [String: Any])
            #expect(structure["query"] as? String == selector)
            let filters = (structure["structure"] as? [[String: Any]])?.first?["filters"] as? [[String: Any]]
            #expect(filters?.first?["property"] as? String == "tracetest.span.type")
            #expect(filters?.first?["operator"] as? String == "=")
            #expect(filters?.first?["value"] as? String == "database")

            // Several spans are of type http.
            let http = Set(
                flat.filter { ($0.value["attributes"] as? [String: String])?["tracetest.span.type"] == "http" }.keys)
            #expect(http.count >= 2)
            let several = try await api.get(
                "/api/tests/pokemon/run/1/select?query=\(Self.query(#"span[tracetest.span.type="http"]"#))")
            #expect(Set(try several.object()["spanIds"] as? [String] ?? []) == http)
            // An empty selector picks every span of the trace.
            let all = try await api.get("/api/tests/pokemon/run/1/select?query=")
            #expect(Set(try all.object()["spanIds"] as? [String] ?? []) == Set(flat.keys))

            let invalid = try await api.get("/api/tests/pokemon/run/1/select?query=\(Self.query("span[name="))")
            #expect(invalid.status == 400, "\(invalid)")
            #expect(try invalid.json() is String)
            #expect(try await api.get("/api/tests/pokemon/run/9/select?query=span").status == 404)
            #expect(try await api.get("/api/tests/pokemon/run/x/select?query=span").status == 400)
        }
    }

    @Test(
        "search-spans applies a selector, or searches names and attributes case-insensitively",
        arguments: TestBackend.allCases)
    func searchSpans(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, _, flat in
            let path = "/api/tests/pokemon/run/1/search-spans"
            let bySelector = try await api.post(path, #"{"query":"span[tracetest.span.type=\"database\"]"}"#)
            #expect(bySelector.status == 200, "\(bySelector)")
            #expect(
                try bySelector.object()["spansIds"] as? [String] == Array(Self.ids(named: "SELECT pokemon", in: flat)))

            // Not a selector: a text search. "select pokemon" is in the database span's name only.
            let byName = try await api.post(path, #"{"query":"select POKEMON"}"#)
            #expect(
                Set(try byName.object()["spansIds"] as? [String] ?? []) == Self.ids(named: "SELECT pokemon", in: flat))
            // An attribute value: only the /types spans carry the URL or route with "types".
            let byAttribute = try await api.post(path, #"{"query":"/TYPES/"}"#)
            #expect(
                Set(try byAttribute.object()["spansIds"] as? [String] ?? [])
                    == Self.ids(named: "GET /types/:name", in: flat))
            let nothing = try await api.post(path, #"{"query":"no-such-text-anywhere"}"#)
            #expect(try nothing.object()["spansIds"] as? [String] == [])

            let empty = try await api.post(path, #"{"query":""}"#)
            #expect(empty.status == 400)
            #expect(try empty.json() as? String == "query is empty")
            #expect(try await api.post(path, #"{"query":"x","other":1}"#).status == 400)
            #expect(try await api.post(path, "not json").status == 400)
            #expect(try await api.post("/api/tests/pokemon/run/9/search-spans", #"{"query":"x"}"#).status == 404)
        }
    }

    // MARK: dry-run

    @Test(
        "dry-run evaluates specs on the stored trace with the run's variables and saves nothing",
        arguments: TestBackend.allCases)
    func dryRun(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, run, _ in
            let path = "/api/tests/pokemon/run/1/dry-run"
            let response = try await api.put(
                path,
                #"""
                {"specs":[
                  {"selector":"span[tracetest.span.type=\"database\"]","assertions":["attr:db.system = \"postgresql\""]},
                  {"selectorParsed":{"query":"span[name=\"Tracetest trigger\"]"},
                   "assertions":["attr:tracetest.response.status = 200","var:POKEMON_NAME = \"pikachu\""]}]}
                """#)
            #expect(response.status == 200, "\(response)")
            let result = try response.object()
            #expect(result["allPassed"] as? Bool == false)
            let specs = try #require(result["results"] as? [[String: Any]])
            #expect(specs.count == 2)
            let database = try #require((specs[0]["results"] as? [[String: Any]])?.first)
            #expect(database["allPassed"] as? Bool == false)
            let spanResult = try #require((database["spanResults"] as? [[String: Any]])?.first)
            #expect(spanResult["observedValue"] as? String == "sqlite")
            #expect(spanResult["passed"] as? Bool == false)
            // The selector from `selectorParsed.query`; the run's output is one of its variables.
            #expect((specs[1]["selector"] as? [String: Any])?["query"] as? String == #"span[name="Tracetest trigger"]"#)
            let trigger = try #require(specs[1]["results"] as? [[String: Any]])
            #expect(trigger.map { $0["allPassed"] as? Bool } == [true, true])

            // The run keeps its own results.
            let stored = try await api.get("/api/tests/pokemon/run/1").object()
            #expect((stored["result"] as? [String: Any])?["allPassed"] as? Bool == true)
            #expect(
                ((stored["result"] as? [String: Any])?["results"] as? [Any])?.count
                    == ((run["result"] as? [String: Any])?["results"] as? [Any])?.count)

            #expect(try await api.put(path, #"{"specs":[]}"#).status == 200)
            #expect(try await api.put(path, #"{"specs":[],"extra":true}"#).status == 400)
            #expect(try await api.put(path, "[1,2]").status == 400)
            #expect(try await api.put("/api/tests/pokemon/run/9/dry-run", #"{"specs":[]}"#).status == 404)
        }
    }

    @Test("a run without a trace: select, search, dry-run and resolve answer 422")
    func runWithoutTrace() async throws {
        try await withTestServer(.sqlite) { api in
            let testID = try await api.create(
                "/api/tests", RunAPITests.pokemonTest(id: "down", url: "http://127.0.0.1:1/pokemon/1", specs: "[]"))
            let run = try await api.runToEnd(testID)
            #expect(run["state"] as? String == "TRIGGER_FAILED")
            let select = try await api.get("/api/tests/down/run/1/select?query=span")
            #expect(select.status == 422)
            #expect(try select.json() as? String == #"run "1" has no trace associated"#)
            #expect(try await api.post("/api/tests/down/run/1/search-spans", #"{"query":"x"}"#).status == 422)
            #expect(try await api.put("/api/tests/down/run/1/dry-run", #"{"specs":[]}"#).status == 422)
            let resolve = try await api.post(
                "/api/expressions/resolve", #"{"expression":"1","context":{"testId":"down","runId":"1"}}"#)
            #expect(resolve.status == 422, "\(resolve)")
        }
    }

    // MARK: expressions/resolve

    func resolve(_ api: TestAPI, _ body: String) async throws -> [String] {
        let response = try await api.post("/api/expressions/resolve", body)
        guard response.status == 200 else { throw TestServerError("resolve \(body) answered \(response)") }
        return try #require(try response.object()["resolvedValues"] as? [String])
    }

    @Test(
        "expressions/resolve: without a run, per selected span, on one span, with a variable set",
        arguments: TestBackend.allCases)
    func resolveExpressions(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, run, flat in
            // No context: no spans, so attributes read as ""; no variable set, so every variable is missing.
            #expect(try await resolve(api, #"{"expression":"1 + 2 * 3","context":{}}"#) == ["7"])
            #expect(try await resolve(api, #"{"expression":"attr:http.route","context":{}}"#) == [""])
            for expression in [#"var:HOST"#, #"["a", env:missing] | get_index 0"#, #""${var:HOST}""#] {
                let body = try JSONSerialization.data(withJSONObject: ["expression": expression, "context": [:]])
                let missing = try await api.post("/api/expressions/resolve", String(decoding: body, as: UTF8.self))
                #expect(missing.status == 400, "\(expression): \(missing)")
                #expect(missing.body.contains("not found"), "\(expression): \(missing)")
            }
            #expect(try await resolve(api, #"{"expression":"'a' = 'b'"}"#) == ["a = b"])

            try await api.create(
                "/api/variablesets",
                #"{"type":"VariableSet","spec":{"id":"vars","name":"vars","values":[{"key":"HOST","value":"example.com"}]}}"#
            )
            #expect(
                try await resolve(api, #"{"expression":"\"http://${var:HOST}/x\"","context":{"variableSetId":"vars"}}"#)
                    == ["http://example.com/x"])
            // A variable the set does not have is an error wherever it appears, in an array too.
            let typo = try await api.post(
                "/api/expressions/resolve",
                #"{"expression":"[var:HOST, var:HOTS] | get_index 0","context":{"variableSetId":"vars"}}"#)
            #expect(typo.status == 400 && typo.body.contains(#"variable \"HOTS\" not found"#), "\(typo)")

            // A run and a selector: one value per selected span, with the selected-span count.
            let httpSpans = flat.values.filter {
                ($0["attributes"] as? [String: String])?["tracetest.span.type"] == "http"
            }
            #expect(httpSpans.count >= 2)
            let names = try await resolve(
                api,
                #"{"expression":"attr:tracetest.span.name","context":{"testId":"pokemon","runId":"1","selector":"span[tracetest.span.type=\"http\"]"}}"#
            )
            #expect(names.sorted() == httpSpans.compactMap { $0["name"] as? String }.sorted())
            let count = try await resolve(
                api,
                #"{"expression":"attr:tracetest.selected_spans.count","context":{"testId":"pokemon","runId":"1","selector":"span[tracetest.span.type=\"http\"]"}}"#
            )
            #expect(count == Array(repeating: String(httpSpans.count), count: httpSpans.count))
            // No selector: every span.
            let all = try await resolve(
                api, #"{"expression":"attr:tracetest.span.name","context":{"testId":"pokemon","runId":"1"}}"#)
            #expect(all.count == flat.count)
            #expect(Set(all) == Set(flat.values.compactMap { $0["name"] as? String }))

            // One span: an assertion renders both sides, not a verdict.
            let serverID = try #require(Self.ids(named: "GET /pokemon/:id", in: flat).first)
            let one = try await resolve(
                api,
                #"{"expression":"attr:http.status_code = 201","context":{"testId":"pokemon","runId":"1","spanId":"\#(serverID)"}}"#
            )
            #expect(one == ["200 = 201"])
            let rootID = try #require(run["spanId"] as? String)
            let body = try await resolve(
                api,
                #"{"expression":"attr:tracetest.response.body | json_path '$.name'","context":{"testId":"pokemon","runId":1,"spanId":"\#(rootID)"}}"#
            )
            #expect(body == ["pikachu"])
        }
    }

    @Test("expressions/resolve refuses bad input with a 4xx naming the problem")
    func resolveErrors() async throws {
        try await withTestServer(.sqlite) { api in
            func error(_ body: String) async throws -> (Int, String) {
                let response = try await api.post("/api/expressions/resolve", body)
                return (response.status, (try? response.json() as? String) ?? response.body)
            }
            var (status, message) = try await error(#"{"expression":"attr:x = ","context":{}}"#)
            #expect(status == 400)
            #expect(!message.isEmpty)
            (status, message) = try await error(#"{"expression":"","context":{}}"#)
            #expect(status == 400)
            #expect(message.contains("expression is empty"))
            (status, message) = try await error(#"{"expression":"1","context":{"variableSetId":"missing"}}"#)
            #expect(status == 400)
            #expect(message.contains("variable set \"missing\" not found"))
            (status, message) = try await error(#"{"expression":"1","context":{"testId":"t","runId":"1"}}"#)
            #expect(status == 404)
            (status, message) = try await error(#"{"expression":"1","context":{"testId":"t","runId":"one"}}"#)
            #expect(status == 400)
            #expect(message.contains("runId"))
            (status, message) = try await error(#"{"expression":"1","context":{"unknown":"x"}}"#)
            #expect(status == 400)
            #expect(message.contains("unknown"))
            (status, _) = try await error(#"{"expression":"1","extra":2}"#)
            #expect(status == 400)
            (status, _) = try await error("")
            #expect(status == 400)
        }
    }

    @Test("expressions/resolve on a run refuses a bad selector or span id with 400")
    func resolveRunErrors() async throws {
        try await withFinishedRun(.sqlite) { api, _, _ in
            let badSelector = try await api.post(
                "/api/expressions/resolve",
                #"{"expression":"1","context":{"testId":"pokemon","runId":"1","selector":"span[name="}}"#)
            #expect(badSelector.status == 400)
            #expect((try badSelector.json() as? String)?.contains("context.selector") == true)
            let badSpan = try await api.post(
                "/api/expressions/resolve",
                #"{"expression":"1","context":{"testId":"pokemon","runId":"1","spanId":"xyz"}}"#)
            #expect(badSpan.status == 400)
            #expect((try badSpan.json() as? String)?.contains("context.spanId") == true)
            let absentSpan = try await api.post(
                "/api/expressions/resolve",
                #"{"expression":"1","context":{"testId":"pokemon","runId":"1","spanId":"00000000000000ff"}}"#)
            #expect(absentSpan.status == 400)
            #expect((try absentSpan.json() as? String)?.contains("is not in the trace") == true)
        }
    }

    // MARK: export and import

    @Test(
        "export then import creates the test and a copy of the run with its trace, results and JUnit",
        arguments: TestBackend.allCases)
    func exportImport(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, original, flat in
            let export = try await api.get("/api/tests/pokemon/run/1/export")
            #expect(export.status == 200, "\(export)")
            var exported = try export.object()
            var test = try #require(exported["test"] as? [String: Any])
            let run = try #require(exported["run"] as? [String: Any])
            #expect(test["id"] as? String == "pokemon")
            #expect(test["version"] as? Int == 1)
            #expect(run["id"] as? Int == 1)
            #expect(run["traceId"] as? String == original["traceId"] as? String)
            #expect(((run["trace"] as? [String: Any])?["flat"] as? [String: Any])?.count == flat.count)

            // The same export imported under another id.
            test["id"] = "imported"
            exported["test"] = test
            let body = String(decoding: try JSONSerialization.data(withJSONObject: exported), as: UTF8.self)
            let imported = try await api.post("/api/tests/import", body)
            #expect(imported.status == 200, "\(imported)")
            let answer = try imported.object()
            #expect((answer["test"] as? [String: Any])?["id"] as? String == "imported")
            #expect((answer["run"] as? [String: Any])?["id"] as? Int == 1)

            let copy = try await api.get("/api/tests/imported/run/1").object()
            #expect(copy["state"] as? String == "FINISHED")
            for field in ["traceId", "spanId", "createdAt", "completedAt", "outputs", "result", "requiredGatesResult"] {
                #expect(try Self.sameJSON(copy[field], original[field]), "\(field)")
            }
            let copiedFlat = try #require((copy["trace"] as? [String: Any])?["flat"] as? [String: [String: Any]])
            #expect(Set(copiedFlat.keys) == Set(flat.keys))
            for (id, span) in flat {
                #expect(copiedFlat[id]?["parentId"] as? String == span["parentId"] as? String, "\(id)")
                #expect(copiedFlat[id]?["startTime"] as? Int == span["startTime"] as? Int, "\(id)")
                #expect(
                    copiedFlat[id]?["attributes"] as? [String: String] == span["attributes"] as? [String: String],
                    "\(id)")
            }
            let resource = try await api.get("/api/tests/imported")
            #expect(resource.status == 200)
            #expect(((try resource.object()["spec"] as? [String: Any])?["specs"] as? [Any])?.count == 3)

            // The copy works with the trace tools, and its JUnit report is the original's.
            let database = try await api.post(
                "/api/tests/imported/run/1/search-spans", #"{"query":"span[tracetest.span.type=\"database\"]"}"#)
            #expect(
                Set(try database.object()["spansIds"] as? [String] ?? []) == Self.ids(named: "SELECT pokemon", in: flat)
            )
            let junit = try await api.get("/api/tests/imported/run/1/junit.xml")
            #expect(junit.status == 200)
            #expect(junit.header("Content-Type") == "application/xml; charset=UTF-8")
            #expect(junit.body == (try await api.get("/api/tests/pokemon/run/1/junit.xml")).body)

            // The id is taken now, and so is the original's: 400, as for every create with a taken id.
            let again = try await api.post("/api/tests/import", body)
            #expect(again.status == 400)
            #expect((try again.json() as? String)?.contains("already exists") == true)
            let original = try await api.post("/api/tests/import", export.body)
            #expect(original.status == 400)
        }
    }

    /// The message of the 400 that answers the import of `body`.
    static func importRefusal(_ api: TestAPI, _ body: String) async throws -> String {
        let response = try await api.post("/api/tests/import", body)
        #expect(response.status == 400, "\(body) → \(response)")
        return (try? response.json() as? String) ?? response.body
    }

    @Test("import refuses incomplete or invalid exports with 400")
    func importErrors() async throws {
        try await withTestServer(.sqlite) { api in
            let refusal = { (body: String) async throws -> String in try await Self.importRefusal(api, body) }
            var message = ""
            let test =
                #"{"id":"t1","name":"n","trigger":{"type":"http","httpRequest":{"url":"http://x","method":"GET"}}}"#
            message = try await refusal(#"{"run":{"state":"FINISHED"}}"#)
            #expect(message.contains("test is required"), "\(message)")
            message = try await refusal(#"{"test":\#(test)}"#)
            #expect(message.contains("run is required"), "\(message)")
            message = try await refusal(#"{"test":\#(test),"run":{"state":"AWAITING_TRACE"}}"#)
            #expect(message.contains("not a final state"), "\(message)")
            message = try await refusal(#"{"test":\#(test),"run":{"state":"FINISHED"},"more":1}"#)
            #expect(message.contains("more"), "\(message)")
            let badSelector =
                #"{"id":"t2","name":"n","trigger":{"type":"http","httpRequest":{"url":"http://x","method":"GET"}},"specs":[{"selector":"span[","assertions":[]}]}"#
            message = try await refusal(#"{"test":\#(badSelector),"run":{"state":"FINISHED"}}"#)
            #expect(message.contains("specs[0].selector"), "\(message)")
            let badSpan = #"{"state":"FINISHED","trace":{"flat":{"zz":{"id":"zz","name":"x"}}}}"#
            message = try await refusal(#"{"test":\#(test),"run":\#(badSpan)}"#)
            #expect(message.contains("span id \"zz\""), "\(message)")
            let hugeTime =
                #"{"state":"FINISHED","trace":{"flat":{"a":{"id":"00000000000000aa","startTime":9223372036854775807}}}}"#
            message = try await refusal(#"{"test":\#(test),"run":\#(hugeTime)}"#)
            #expect(message.contains("out of range"), "\(message)")
            // Nothing was created by the refused imports.
            let first = try await api.get("/api/tests/t1")
            #expect(first.status == 404)
            let second = try await api.get("/api/tests/t2")
            #expect(second.status == 404)
            // The import route does not hide a test whose id is "import".
            try await api.create(
                "/api/tests",
                #"{"type":"Test","spec":{"id":"import","name":"n","trigger":{"type":"http","httpRequest":{"url":"http://x","method":"GET"}}}}"#
            )
            let named = try await api.get("/api/tests/import")
            #expect(named.status == 200, "\(named)")
            #expect(try await api.delete("/api/tests/import").status == 204)
        }
    }

    @Test("the new routes' spans are named with Tracetest's route templates")
    func routeNames() async throws {
        let receiver = try await withTelemetryServer(.sqlite) { api, _ in
            _ = try await api.post("/api/tests/import", "{}")
            _ = try await api.post("/api/expressions/resolve", #"{"expression":"1"}"#)
            _ = try await api.send(.PATCH, "/api/tests/t/run/1", body: "{}")
            let other = try await api.post("/api/tests/other", "{}")
            #expect(other.status == 404)
        }
        let names = try receiver.spans().map(\.name)
        #expect(names.contains("POST /api/tests/import"), "\(names)")
        #expect(names.contains("POST /api/expressions/resolve"), "\(names)")
        #expect(names.contains("PATCH /api/tests/{testId}/run/{runId}"), "\(names)")
    }

    // MARK: legacy run update

    @Test(
        "PATCH of a run replaces its trigger result, adds spans and refuses impossible states",
        arguments: TestBackend.allCases)
    func patchRun(backend: TestBackend) async throws {
        try await withFinishedRun(backend) { api, run, flat in
            let root = try #require(run["spanId"] as? String)
            let path = "/api/tests/pokemon/run/1"
            let patched = try await api.send(
                .PATCH, path,
                body: #"""
                    {"triggerResult":{"type":"http","triggerResult":{"http":{"status":"201 Created","statusCode":201,"headers":[],"body":"{}"}}},
                     "trace":{"flat":{"00000000000000aa":{"id":"00000000000000aa","parentId":"\#(root)","name":"agent span",
                       "kind":"internal","startTime":1700000000000,"endTime":1700000000005,"attributes":{"agent":"yes"}}}}}
                    """#)
            #expect(patched.status == 200, "\(patched)")
            let stored = try await api.get(path).object()
            let http = ((stored["triggerResult"] as? [String: Any])?["triggerResult"] as? [String: Any])?["http"]
            #expect((http as? [String: Any])?["statusCode"] as? Int == 201)
            #expect(stored["state"] as? String == "FINISHED")
            let storedFlat = try #require((stored["trace"] as? [String: Any])?["flat"] as? [String: [String: Any]])
            #expect(storedFlat.count == flat.count + 1)
            let agent = try #require(storedFlat["00000000000000aa"])
            #expect(agent["parentId"] as? String == root)
            #expect((agent["attributes"] as? [String: String])?["agent"] == "yes")
            #expect((agent["attributes"] as? [String: String])?["tracetest.span.duration"] == "5ms")

            let backwards = try await api.send(.PATCH, path, body: #"{"state":"CREATED"}"#)
            #expect(backwards.status == 422)
            #expect((try backwards.json() as? String)?.contains("cannot move from FINISHED to CREATED") == true)
            let unknown = try await api.send(.PATCH, path, body: #"{"state":"DONE"}"#)
            #expect(unknown.status == 400)
            #expect((try unknown.json() as? String)?.contains("unknown run state") == true)
            #expect(try await api.send(.PATCH, "/api/tests/pokemon/run/9", body: "{}").status == 404)
            #expect(try await api.send(.PATCH, "/api/tests/pokemon/run/x", body: "{}").status == 400)
        }
    }

    // MARK: definition and versions

    @Test(
        "definition answers the latest specs; version/{v} answers each version in OpenAPI form",
        arguments: TestBackend.allCases)
    func definitionAndVersions(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            func test(_ specs: String) -> String {
                #"{"type":"Test","spec":{"id":"versioned","name":"v","trigger":{"type":"http","httpRequest":{"url":"http://x","method":"GET"}},"specs":\#(specs)}}"#
            }
            let first = #"[{"selector":"span[name=\"a\"]","assertions":["attr:x = 1"]}]"#
            let second =
                #"[{"selector":"span[name=\"a\"]","assertions":["attr:x = 2"]},{"name":"b","selector":"span[name=\"b\"]","assertions":["attr:y = 1"]}]"#
            try await api.create("/api/tests", test(first))
            try await api.create("/api/tests", test(second))

            let definition = try await api.get("/api/tests/versioned/definition")
            #expect(definition.status == 200)
            let specs = try #require(try definition.json() as? [[String: Any]])
            #expect(specs.count == 2)
            #expect(specs[0]["assertions"] as? [String] == ["attr:x = 2"])
            #expect((specs[1]["selectorParsed"] as? [String: Any])?["query"] as? String == #"span[name="b"]"#)
            #expect(specs[1]["name"] as? String == "b")

            let v1 = try await api.get("/api/tests/versioned/version/1")
            #expect(v1.status == 200)
            let old = try v1.object()
            #expect(old["version"] as? Int == 1)
            #expect((old["specs"] as? [[String: Any]])?.first?["assertions"] as? [String] == ["attr:x = 1"])
            #expect((old["trigger"] as? [String: Any])?["grpc"] != nil)
            let v2 = try await api.get("/api/tests/versioned/version/2").object()
            #expect(v2["version"] as? Int == 2)
            #expect((v2["specs"] as? [Any])?.count == 2)

            #expect(try await api.get("/api/tests/versioned/version/3").status == 404)
            #expect(try await api.get("/api/tests/versioned/version/two").status == 400)
            #expect(try await api.get("/api/tests/nope/definition").status == 404)
            #expect(try await api.get("/api/tests/nope/version/1").status == 404)
        }
    }
}
