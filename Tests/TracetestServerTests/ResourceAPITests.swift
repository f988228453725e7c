import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import Yams

/// The resource API over real HTTP on loopback, on both storage backends (api-resources.md §11).
@Suite("Resource API")
struct ResourceAPITests {
    static let testYAML = """
        type: Test
        spec:
          name: Pokeshop - List
          description: List Pokemon
          trigger:
            type: http
            httpRequest:
              url: http://demo-api:8081/pokemon?take=20&skip=0
              method: GET
              headers:
              - key: Content-Type
                value: application/json
          specs:
          - name: All HTTP spans return 200
            selector: span[tracetest.span.type="http"]
            assertions:
            - attr:http.status_code = 200
        """

    static func testJSON(id: String, name: String = "a test", description: String = "") -> String {
        #"{"type":"Test","spec":{"id":"\#(id)","name":"\#(name)","description":"\#(description)","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x"}}}}"#
    }

    @Test("GET /api/version.json reports an oss server the CLI accepts", arguments: TestBackend.allCases)
    func version(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let response = try await api.get("/api/version.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json; charset=UTF-8")
            let body = try response.object()
            #expect(body["type"] as? String == "oss")
            #expect(body["version"] as? String == TracetestVersion.current)
            #expect(response.body.hasSuffix("\n"))
        }
    }

    @Test(
        "PUT /api/tests in YAML creates with an id, bumps the version on change, not when unchanged",
        arguments: TestBackend.allCases)
    func upsertVersioning(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let created = try await api.put("/api/tests", Self.testYAML, headers: yamlHeaders)
            #expect(created.status == 201)
            #expect(created.header("Content-Type") == "text/yaml")
            let envelope = try #require(try Yams.load(yaml: created.body) as? [String: Any])
            #expect(envelope["type"] as? String == "Test")
            let spec = try #require(envelope["spec"] as? [String: Any])
            let id = try #require(spec["id"] as? String)
            #expect(id.count == 9)
            #expect(spec["version"] == nil)

            let changed = Self.testYAML.replacingOccurrences(of: "List Pokemon", with: "List more Pokemon")
                .replacingOccurrences(of: "spec:\n", with: "spec:\n  id: \(id)\n")
            let updated = try await api.put("/api/tests", changed, headers: yamlHeaders)
            #expect(updated.status == 200)
            var augmented = try await api.get("/api/tests/\(id)", headers: augmentedHeaders).object()
            #expect((augmented["spec"] as? [String: Any])?["version"] as? Int == 2)
            #expect((augmented["spec"] as? [String: Any])?["description"] as? String == "List more Pokemon")

            let unchanged = try await api.put("/api/tests", changed, headers: yamlHeaders)
            #expect(unchanged.status == 200)
            augmented = try await api.get("/api/tests/\(id)", headers: augmentedHeaders).object()
            #expect((augmented["spec"] as? [String: Any])?["version"] as? Int == 2)
            #expect(try await api.store.tests.get(id, version: 1)?.description == "List Pokemon")
        }
    }

    @Test("POST with an existing id is a 400 and stores nothing; POST new is 201", arguments: TestBackend.allCases)
    func createDuplicate(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let first = try await api.post("/api/tests", Self.testJSON(id: "dup", name: "first"))
            #expect(first.status == 201)
            #expect(first.header("Content-Type") == "application/json")
            let second = try await api.post("/api/tests", Self.testJSON(id: "dup", name: "second"))
            #expect(second.status == 400)
            let error = try second.object()
            #expect(error["code"] as? Int == 400)
            #expect((error["error"] as? String)?.contains("test with same ID already exists") == true)
            #expect(try await api.store.tests.get("dup")?.name == "first")
            #expect(try await api.store.tests.get("dup")?.version == 1)
        }
    }

    @Test("duplicate ids are 400 for suites, variable sets and demos too", arguments: TestBackend.allCases)
    func otherDuplicates(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let bodies = [
                ("testsuites", #"{"type":"TestSuite","spec":{"id":"same","name":"s"}}"#),
                ("variablesets", #"{"type":"VariableSet","spec":{"id":"same","name":"v"}}"#),
                ("demos", #"{"type":"Demo","spec":{"id":"same","name":"d","type":"pokeshop"}}"#),
            ]
            for (plural, body) in bodies {
                #expect(try await api.post("/api/\(plural)", body).status == 201)
                let again = try await api.post("/api/\(plural)", body)
                #expect(again.status == 400, "\(plural)")
                #expect((try again.object()["error"] as? String)?.contains("same ID already exists") == true)
            }
        }
    }

    @Test("missing resources are 404 with an empty body; DELETE is 204", arguments: TestBackend.allCases)
    func notFoundAndDelete(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for plural in ["tests", "testsuites", "variablesets", "demos"] {
                let missing = try await api.get("/api/\(plural)/nope")
                #expect(missing.status == 404)
                #expect(missing.body.isEmpty)
                #expect(missing.header("Content-Type") == "application/json")
                let deleteMissing = try await api.delete("/api/\(plural)/nope")
                #expect(deleteMissing.status == 404)
                #expect(deleteMissing.body.isEmpty)
            }
            let yamlMissing = try await api.get("/api/tests/nope", headers: ["Accept": "text/yaml"])
            #expect(yamlMissing.status == 404 && yamlMissing.body.isEmpty)
            #expect(try await api.post("/api/tests", Self.testJSON(id: "gone")).status == 201)
            let deleted = try await api.delete("/api/tests/gone")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(try await api.get("/api/tests/gone").status == 404)
        }
    }

    @Test(
        "lists: count is the total, take/skip/sort/query apply, bad sort fields are 400",
        arguments: TestBackend.allCases)
    func lists(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for (id, name, description) in [("t1", "Charlie", ""), ("t2", "alpha", "first one"), ("t3", "Bravo", "")] {
                #expect(
                    try await api.post("/api/tests", Self.testJSON(id: id, name: name, description: description)).status
                        == 201)
            }
            let page = try await api.get("/api/tests?take=1&skip=0&sortBy=name&sortDirection=asc").object()
            #expect(page["count"] as? Int == 3)
            let items = try #require(page["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect((items.first?["spec"] as? [String: Any])?["name"] as? String == "Bravo")
            #expect(items.first?["type"] as? String == "Test")

            let newestFirst = try await api.get("/api/tests").object()
            let names = (newestFirst["items"] as? [[String: Any]])?.compactMap {
                ($0["spec"] as? [String: Any])?["name"] as? String
            }
            #expect(names == ["Bravo", "alpha", "Charlie"])

            let second = try await api.get("/api/tests?take=1&skip=1&sortBy=name&sortDirection=asc").object()
            #expect(
                ((second["items"] as? [[String: Any]])?.first?["spec"] as? [String: Any])?["name"] as? String
                    == "Charlie")

            let searched = try await api.get("/api/tests?query=FIRST%20one").object()
            #expect(searched["count"] as? Int == 1)
            #expect(
                ((searched["items"] as? [[String: Any]])?.first?["spec"] as? [String: Any])?["id"] as? String == "t2")

            let badSort = try await api.get("/api/tests?sortBy=id")
            #expect(badSort.status == 400)
            #expect((try badSort.object()["error"] as? String) == "cannot process request: invalid sort field: id")
            let badTake = try await api.get("/api/tests?take=many")
            #expect(badTake.status == 400)
            #expect((try badTake.object()["error"] as? String)?.contains("'many' is not a number") == true)
        }
    }

    @Test(
        "text/yaml-stream lists are one document per item; an empty list is an empty body",
        arguments: TestBackend.allCases)
    func yamlStream(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let empty = try await api.get("/api/variablesets", headers: ["Accept": "text/yaml-stream"])
            #expect(empty.status == 200)
            #expect(empty.body.isEmpty)
            #expect(empty.header("Content-Type") == "text/yaml-stream")
            for name in ["one", "two"] {
                #expect(
                    try await api.post("/api/variablesets", #"{"type":"VariableSet","spec":{"name":"\#(name)"}}"#)
                        .status == 201)
            }
            let stream = try await api.get("/api/variablesets", headers: ["Accept": "text/yaml-stream"])
            #expect(stream.body.hasPrefix("---\n"))
            let documents = try Array(Yams.load_all(yaml: stream.body)).compactMap { $0 as? [String: Any] }
            #expect(documents.count == 2)
            #expect(documents.allSatisfy { $0["type"] as? String == "VariableSet" })
            #expect(!stream.body.contains("count:"))
        }
    }

    @Test("augmented reads add version, createdAt, summary and suites' fullSteps", arguments: TestBackend.allCases)
    func augmentation(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            #expect(try await api.post("/api/tests", Self.testJSON(id: "step1")).status == 201)
            let suite = #"{"type":"TestSuite","spec":{"id":"suite1","name":"flow","steps":["step1","missing"]}}"#
            let createdSuite = try await api.post("/api/testsuites", suite)
            #expect(createdSuite.status == 201)
            #expect((try createdSuite.object()["spec"] as? [String: Any])?["version"] == nil)

            let plainTest = try #require(try await api.get("/api/tests/step1").object()["spec"] as? [String: Any])
            #expect(plainTest["version"] == nil && plainTest["createdAt"] == nil && plainTest["summary"] == nil)
            let test = try #require(
                try await api.get("/api/tests/step1", headers: augmentedHeaders).object()["spec"] as? [String: Any])
            #expect(test["version"] as? Int == 1)
            #expect(Timestamp(rfc3339: test["createdAt"] as? String ?? "") != nil)
            let summary = try #require(test["summary"] as? [String: Any])
            #expect(summary["runs"] as? Int == 0)
            let lastRun = try #require(summary["lastRun"] as? [String: Any])
            #expect(lastRun["time"] as? String == "0001-01-01T00:00:00Z")
            #expect(
                lastRun["passes"] as? Int == 0 && lastRun["fails"] as? Int == 0 && lastRun["analyzerScore"] as? Int == 0
            )

            let plainSuite = try #require(
                try await api.get("/api/testsuites/suite1").object()["spec"] as? [String: Any])
            #expect(plainSuite["fullSteps"] == nil && plainSuite["version"] == nil)
            #expect(plainSuite["createdAt"] == nil && plainSuite["summary"] == nil)
            #expect(plainSuite["steps"] as? [String] == ["step1", "missing"])
            let fullSuite = try #require(
                try await api.get("/api/testsuites/suite1", headers: augmentedHeaders).object()["spec"]
                    as? [String: Any])
            let fullSteps = try #require(fullSuite["fullSteps"] as? [[String: Any]])
            #expect(fullSteps.map { $0["id"] as? String } == ["step1"])
            #expect(fullSteps.first?["summary"] != nil)
            #expect(fullSuite["summary"] != nil && fullSuite["version"] as? Int == 1)

            let list = try await api.get("/api/testsuites", headers: augmentedHeaders).object()
            #expect(((list["items"] as? [[String: Any]])?.first?["spec"] as? [String: Any])?["fullSteps"] != nil)
        }
    }

    @Test("deleting a test removes it from every suite", arguments: TestBackend.allCases)
    func deleteTestFromSuites(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            #expect(try await api.post("/api/tests", Self.testJSON(id: "keep")).status == 201)
            #expect(try await api.post("/api/tests", Self.testJSON(id: "drop")).status == 201)
            let suite = #"{"type":"TestSuite","spec":{"id":"s","name":"flow","steps":["keep","drop","keep"]}}"#
            #expect(try await api.post("/api/testsuites", suite).status == 201)
            #expect(try await api.delete("/api/tests/drop").status == 204)
            let spec = try await api.get("/api/testsuites/s").object()["spec"] as? [String: Any]
            #expect(spec?["steps"] as? [String] == ["keep", "keep"])
        }
    }

    static let singletons: [(plural: String, kind: String)] = [
        ("datastores", "DataStore"), ("pollingprofiles", "PollingProfile"), ("configs", "Config"),
        ("analyzers", "Analyzer"), ("testrunners", "TestRunner"),
    ]

    @Test(
        "singletons have defaults, count 1, refuse DELETE with 405 and force id current",
        arguments: TestBackend.allCases)
    func singletons(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for (plural, kind) in Self.singletons {
                let current = try await api.get("/api/\(plural)/current")
                #expect(current.status == 200, "\(plural)")
                let envelope = try current.object()
                #expect(envelope["type"] as? String == kind)
                #expect((envelope["spec"] as? [String: Any])?["id"] as? String == "current")
                let list = try await api.get("/api/\(plural)").object()
                #expect(list["count"] as? Int == 1)
                #expect((list["items"] as? [Any])?.count == 1)
                let delete = try await api.delete("/api/\(plural)/current")
                #expect(delete.status == 405)
                #expect(try delete.object()["error"] as? String == "resource \(kind) does not support the action")
                #expect(try delete.object()["code"] as? Int == 405)
            }
            let dataStore = try #require(
                try await api.get("/api/datastores/current").object()["spec"] as? [String: Any])
            #expect(dataStore["type"] as? String == "otlp" && dataStore["default"] as? Bool == true)
            #expect(dataStore["name"] as? String == "OTLP")
            let runner = try #require(try await api.get("/api/testrunners/current").object()["spec"] as? [String: Any])
            #expect(runner["requiredGates"] as? [String] == ["test-specs"])
            let profile = try #require(
                try await api.get("/api/pollingprofiles/current").object()["spec"] as? [String: Any])
            #expect(profile["strategy"] as? String == "periodic")
            let analyzer = try #require(try await api.get("/api/analyzers/current").object()["spec"] as? [String: Any])
            #expect((analyzer["plugins"] as? [Any])?.count == 3)

            let put = try await api.put(
                "/api/datastores",
                #"{"type":"DataStore","spec":{"id":"whatever","name":"Jaeger","type":"jaeger","default":false,"jaeger":{"endpoint":"jaeger:16685","tls":{"insecure":true}}}}"#
            )
            #expect(put.status == 200)
            let stored = try #require(try put.object()["spec"] as? [String: Any])
            #expect(stored["id"] as? String == "current" && stored["default"] as? Bool == true)
            let withoutID = try await api.put("/api/configs", #"{"type":"Config","spec":{"analyticsEnabled":false}}"#)
            #expect(withoutID.status == 201)
            #expect((try withoutID.object()["spec"] as? [String: Any])?["name"] as? String == "Config")
            let read = try #require(try await api.get("/api/datastores/current").object()["spec"] as? [String: Any])
            #expect(read["type"] as? String == "jaeger")
            #expect((read["jaeger"] as? [String: Any])?["endpoint"] as? String == "jaeger:16685")
        }
    }

    @Test(
        "variable sets: an empty name is a 400 that stores nothing; values keep their order",
        arguments: TestBackend.allCases)
    func variableSets(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let invalid = try await api.put("/api/variablesets", #"{"type":"VariableSet","spec":{"id":"v","name":""}}"#)
            #expect(invalid.status == 400)
            #expect((try invalid.object()["error"] as? String)?.contains("variable set name cannot be empty") == true)
            #expect(try await api.store.variableSets.get("v") == nil)

            let values = (1...12).map { #"{"key":"K\#($0)","value":"v\#($0)"}"# }.joined(separator: ",")
            let valid = try await api.put(
                "/api/variablesets", #"{"type":"VariableSet","spec":{"id":"v","name":"env","values":[\#(values)]}}"#)
            #expect(valid.status == 201)
            let spec = try #require(try valid.object()["spec"] as? [String: Any])
            #expect(Timestamp(rfc3339: spec["createdAt"] as? String ?? "") != nil)
            let read = try #require(try await api.get("/api/variablesets/v").object()["spec"] as? [String: Any])
            let keys = (read["values"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
            #expect(keys == (1...12).map { "K\($0)" })
            #expect(read["createdAt"] as? String == spec["createdAt"] as? String)
        }
    }

    @Test(
        "update: the URL id wins, a different spec id is a 400, a missing record a 404",
        arguments: TestBackend.allCases)
    func updateByID(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            #expect(
                try await api.post("/api/demos", #"{"type":"Demo","spec":{"id":"d1","name":"old","type":"pokeshop"}}"#)
                    .status == 201)
            let updated = try await api.put(
                "/api/demos/d1", #"{"type":"Demo","spec":{"name":"new","type":"pokeshop"}}"#)
            #expect(updated.status == 200)
            #expect((try updated.object()["spec"] as? [String: Any])?["id"] as? String == "d1")
            let mismatch = try await api.put("/api/demos/d1", #"{"type":"Demo","spec":{"id":"d2","name":"x"}}"#)
            #expect(mismatch.status == 400)
            #expect(
                try mismatch.object()["error"] as? String
                    == "ID 'd2' defined in resource spec does not match ID 'd1' from URL")
            #expect(try await api.put("/api/demos/nope", #"{"type":"Demo","spec":{"name":"x"}}"#).status == 404)
            #expect(try await api.store.demos.get("d1")?.name == "new")
        }
    }

    @Test("bad bodies are 400 with the position of the mistake, and nothing is stored", arguments: TestBackend.allCases)
    func badBodies(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let cases: [(body: String, headers: [String: String], expected: [String])] = [
                ("", [:], ["cannot parse body: request body is empty"]),
                ("{\"type\": \"Test\",\n  \"spec\": {\"name\": }}", [:], ["cannot parse body", "line 2", "column 20"]),
                ("type: Test\nspec:\n  name: [unclosed\n", yamlHeaders, ["cannot parse body", "(line 4, column 1)"]),
                ("type: Test\nspec:\n  specs: nope\n", yamlHeaders, ["spec.specs", "a list", "line 3"]),
                ("type: Test\n", yamlHeaders, ["spec", "is required"]),
            ]
            for (body, headers, expected) in cases {
                let response = try await api.send(.PUT, "/api/tests", body: body, headers: headers)
                #expect(response.status == 400, "\(body)")
                for fragment in expected {
                    #expect(response.body.contains(fragment), "\(fragment) not in \(response.body)")
                }
            }
            let yamlError = try await api.put("/api/tests", "type: Test\nspec: [", headers: yamlHeaders)
            let parsed = try #require(try Yams.load(yaml: yamlError.body) as? [String: Any])
            #expect(parsed["code"] as? Int == 400)
            #expect((parsed["error"] as? String)?.hasPrefix("cannot parse body") == true)
            #expect(try await api.store.tests.list(.init()).count == 0)

            let badStore = try await api.put(
                "/api/datastores", #"{"type":"DataStore","spec":{"name":"x","type":"zipkin"}}"#)
            #expect(badStore.status == 400)
            #expect((try badStore.object()["error"] as? String)?.contains("unsupported data store type zipkin") == true)
            #expect(try await api.store.dataStores.get().type == "otlp")
            let badProfile = try await api.put(
                "/api/pollingprofiles",
                #"{"type":"PollingProfile","spec":{"name":"p","strategy":"periodic","periodic":{"retryDelay":"often","timeout":"1m"}}}"#
            )
            #expect(badProfile.status == 400)
            #expect(
                (try badProfile.object()["error"] as? String)?.contains("retry delay configuration is invalid") == true)
            #expect(try await api.store.pollingProfiles.get() == PollingProfile.defaultProfile)
        }
    }

    @Test(
        "a test with a selector that does not parse is a 400 naming the spec and the position",
        arguments: TestBackend.allCases)
    func invalidSelector(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let yaml = """
                type: Test
                spec:
                  id: broken
                  name: broken
                  specs:
                  - selector: span[name="ok"]
                    assertions: [attr:a = 1]
                  - selector: span[name="unclosed"
                    assertions: [attr:a = 1]
                """
            let response = try await api.put("/api/tests", yaml, headers: yamlHeaders)
            #expect(response.status == 400)
            #expect(response.body.contains("specs[1].selector: could not create selector from statement"))
            #expect(response.body.contains("1:"))
            #expect(try await api.store.tests.get("broken") == nil)
            let output =
                #"{"type":"Test","spec":{"id":"o","outputs":[{"name":"X","selector":"span[","value":"attr:a"}]}}"#
            let outputResponse = try await api.post("/api/tests", output)
            #expect(outputResponse.status == 400)
            #expect((try outputResponse.object()["error"] as? String)?.contains("outputs[0].selector") == true)
        }
    }

    @Test("YAML answers when Accept is text/yaml, errors included; JSON otherwise", arguments: TestBackend.allCases)
    func negotiation(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let yaml = try await api.get("/api/configs/current", headers: ["Accept": "text/yaml"])
            #expect(yaml.header("Content-Type") == "text/yaml")
            #expect(yaml.body.hasPrefix("type: Config\n"))
            let byContentType = try await api.get(
                "/api/configs/current", headers: ["Accept": "*/*", "Content-Type": "text/yaml"])
            #expect(byContentType.header("Content-Type") == "text/yaml")
            let json = try await api.get("/api/configs/current", headers: ["Accept": "application/json; charset=utf-8"])
            #expect(json.header("Content-Type") == "application/json")
            #expect(json.body.hasPrefix(#"{"type":"Config","spec":{"#))
            let yamlError = try await api.delete("/api/configs/current", headers: ["Accept": "text/yaml"])
            #expect(yamlError.status == 405)
            #expect(yamlError.body == "code: 405\nerror: resource Config does not support the action\n")
        }
    }

    @Test("OpenAPI routes reject unknown fields; wizard round-trips", arguments: TestBackend.allCases)
    func wizard(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let initial = try await api.get("/api/wizard").object()
            let steps = try #require(initial["steps"] as? [[String: Any]])
            #expect(steps.map { $0["id"] as? String } == ["agent", "tracing_backend", "create_test"])
            #expect(steps.allSatisfy { $0["state"] as? String == "pending" })

            let unknown = try await api.put("/api/wizard", #"{"steps":[],"surprise":true}"#)
            #expect(unknown.status == 400)
            #expect(unknown.header("Content-Type") == "application/json; charset=UTF-8")
            #expect((try unknown.json() as? String)?.contains("surprise") == true)

            let body = #"{"steps":[{"id":"agent","state":"completed","completedAt":"2024-01-02T03:04:05Z"}]}"#
            #expect(try await api.put("/api/wizard", body).status == 200)
            let saved = try await api.get("/api/wizard").object()
            #expect((saved["steps"] as? [[String: Any]])?.first?["completedAt"] as? String == "2024-01-02T03:04:05Z")
        }
    }

    @Test("tenant header: an invalid UUID is a 400, a valid one is accepted", arguments: TestBackend.allCases)
    func tenantHeader(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let invalid = try await api.get("/api/tests", headers: ["X-Tracetest-TenantID": "acme"])
            #expect(invalid.status == 400)
            #expect(invalid.body.contains("invalid tenant id: acme"))
            let valid = try await api.get("/api/tests", headers: ["X-Tracetest-TenantID": UUID().uuidString])
            #expect(valid.status == 200)
        }
    }

    @Test("cloud-only routes are 402 null; unknown API paths are JSON 404s", arguments: TestBackend.allCases)
    func cloudAndUnknown(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for (method, path) in [("GET", "/api/environments"), ("POST", "/api/tokens"), ("GET", "/api/rungroups/x")] {
                let response = try await api.send(.init(rawValue: method), path)
                #expect(response.status == 402, "\(path)")
                #expect(response.body == "null\n")
            }
            let unknown = try await api.get("/api/transactions")
            #expect(unknown.status == 404)
            #expect((try unknown.object()["error"] as? String)?.contains("/api/transactions") == true)
            #expect(try await api.send(.PATCH, "/api/tests").status == 404)
        }
    }

    @Test(
        "GET /api/resources merges tests and suites newest first, with X-Total-Count", arguments: TestBackend.allCases)
    func resources(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            #expect(try await api.post("/api/tests", Self.testJSON(id: "t-old")).status == 201)
            #expect(
                try await api.post("/api/testsuites", #"{"type":"TestSuite","spec":{"id":"s-mid","name":"s"}}"#).status
                    == 201)
            #expect(try await api.post("/api/tests", Self.testJSON(id: "t-new")).status == 201)
            let response = try await api.get("/api/resources?take=2")
            #expect(response.header("X-Total-Count") == "3")
            let items = try #require(try response.json() as? [[String: Any]])
            #expect(items.map { $0["type"] as? String } == ["test", "testsuite"])
            #expect(items.map { ($0["item"] as? [String: Any])?["id"] as? String } == ["t-new", "s-mid"])
            #expect((items.first?["item"] as? [String: Any])?["summary"] != nil)
            let rest = try #require(try await api.get("/api/resources?take=2&skip=2").json() as? [[String: Any]])
            #expect(rest.map { ($0["item"] as? [String: Any])?["id"] as? String } == ["t-old"])
        }
    }

    @Test("a path prefix moves the API under it", arguments: TestBackend.allCases)
    func pathPrefix(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            var configuration = configuration
            configuration.server.pathPrefix = "/tracetest/"
            try await withRunningServer(configuration) { api async throws in
                #expect(try await api.get("/tracetest/api/version.json").status == 200)
                #expect(try await api.get("/tracetest/api/tests").status == 200)
                #expect(try await api.get("/api/tests").status == 404)
                #expect(try await api.get("/tracetest/health").status == 200)
            }
        }
    }

    @Test("health reports the database", arguments: TestBackend.allCases)
    func health(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let response = try await api.get("/health")
            #expect(response.status == 200)
            #expect(try response.object()["status"] as? String == "ok")
        }
    }
}

@Suite("Version routes")
struct VersionRouteTests {
    @Test("older versions of tests and suites stay readable", arguments: TestBackend.allCases)
    func versions(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            _ = try await api.put("/api/tests", ResourceAPITests.testJSON(id: "t", name: "one"))
            _ = try await api.put("/api/tests", ResourceAPITests.testJSON(id: "t", name: "two"))
            let first = try await api.get("/api/tests/t/version/1")
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "application/json; charset=UTF-8")
            let test = try first.object()
            #expect(test["name"] as? String == "one" && test["version"] as? Int == 1)
            #expect((test["trigger"] as? [String: Any])?["grpc"] != nil)
            #expect((test["summary"] as? [String: Any])?["runs"] as? Int == 0)
            #expect(try await api.get("/api/tests/t/version/2").object()["name"] as? String == "two")
            let missing = try await api.get("/api/tests/t/version/3")
            #expect(missing.status == 404)
            #expect(try missing.json() is String)
            #expect(try await api.get("/api/tests/t/version/x").status == 400)
            let definition = try #require(try await api.get("/api/tests/t/definition").json() as? [Any])
            #expect(definition.isEmpty)

            _ = try await api.put(
                "/api/testsuites", #"{"type":"TestSuite","spec":{"id":"s","name":"a","steps":["t"]}}"#)
            _ = try await api.put("/api/testsuites", #"{"type":"TestSuite","spec":{"id":"s","name":"b","steps":[]}}"#)
            let suite = try await api.get("/api/testsuites/s/version/1").object()
            #expect(suite["name"] as? String == "a" && suite["steps"] as? [String] == ["t"])
            #expect((suite["fullSteps"] as? [[String: Any]])?.first?["id"] as? String == "t")
            let yaml = try await api.get("/api/testsuites/s/version/2", headers: ["Accept": "text/yaml"])
            #expect(yaml.header("Content-Type") == "text/yaml")
            #expect(yaml.body.contains("name: b"))
            #expect(try await api.get("/api/testsuites/s/version/9").status == 404)
        }
    }
}
