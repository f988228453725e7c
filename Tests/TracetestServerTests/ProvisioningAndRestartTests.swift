import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import TracetestServer

@Suite("Provisioning and restarts")
struct ProvisioningAndRestartTests {
    static let provisioningYAML = """
        ---
        type: DataStore
        spec:
          name: Jaeger
          type: jaeger
          jaeger:
            endpoint: jaeger:16685
            tls:
              insecure: true
        ---
        type: PollingProfile
        spec:
          name: fast
          strategy: periodic
          periodic: {retryDelay: 1s, timeout: 30s, selectorMatchRetries: 2}
        ---
        type: Config
        spec:
          analyticsEnabled: false
        ---
        type: Demo
        spec:
          id: pokeshop
          name: Pokeshop
          type: pokeshop
          enabled: true
          pokeshop: {httpEndpoint: "http://demo-api:8081"}
        ---
        type: VariableSet
        spec:
          id: env
          name: env
          values: [{key: HOST, value: demo-api}]
        ---
        type: Test
        spec:
          id: provisioned-test
          name: From provisioning
          trigger: {type: http, httpRequest: {method: GET, url: "http://demo-api:8081"}}
        ---
        type: TestSuite
        spec:
          id: provisioned-suite
          name: Provisioned flow
          steps: [provisioned-test, provisioned-test]
        ---
        type: Analyzer
        spec:
          name: strict analyzer
          enabled: false
          minimumScore: 75
          plugins:
          - {id: common, enabled: false, rules: [{id: prefer-dns, weight: 100, errorLevel: warning}]}
        ---
        type: TestRunner
        spec:
          name: gates
          requiredGates: [analyzer-rules, test-specs]
        """

    @Test("a new installation applies every document; a later start applies nothing", arguments: TestBackend.allCases)
    func appliesOnce(backend: TestBackend) async throws {
        let provisioning = try Provisioning.parse(Self.provisioningYAML, source: "provisioning.yaml")
        #expect(provisioning.count == 9)
        try await withTestConfiguration(backend) { configuration in
            try await withRunningServer(configuration, provisioning: provisioning) { api async throws in
                let store = try #require(
                    try await api.get("/api/datastores/current").object()["spec"] as? [String: Any])
                #expect(store["type"] as? String == "jaeger" && store["id"] as? String == "current")
                #expect(try await api.store.pollingProfiles.get().periodic?.retryDelay == "1s")
                #expect(try await api.store.configs.get().analyticsEnabled == false)
                #expect(try await api.store.demos.get("pokeshop")?.pokeshop?.httpEndpoint == "http://demo-api:8081")
                #expect(
                    try await api.store.variableSets.get("env")?.values == [KeyValue(key: "HOST", value: "demo-api")])
                #expect(try await api.store.tests.get("provisioned-test")?.name == "From provisioning")
                let suite = try #require(
                    try await api.get("/api/testsuites/provisioned-suite").object()["spec"] as? [String: Any])
                #expect(suite["name"] as? String == "Provisioned flow")
                #expect(suite["steps"] as? [String] == ["provisioned-test", "provisioned-test"])
                let analyzer = try #require(
                    try await api.get("/api/analyzers/current").object()["spec"] as? [String: Any])
                #expect(analyzer["id"] as? String == "current" && analyzer["name"] as? String == "strict analyzer")
                #expect(analyzer["enabled"] as? Bool == false && analyzer["minimumScore"] as? Int == 75)
                let plugins = try #require(analyzer["plugins"] as? [[String: Any]])
                #expect(plugins.map { $0["id"] as? String } == ["common"])
                #expect((plugins.first?["rules"] as? [[String: Any]])?.first?["errorLevel"] as? String == "warning")
                let runner = try #require(
                    try await api.get("/api/testrunners/current").object()["spec"] as? [String: Any])
                #expect(runner["name"] as? String == "gates")
                #expect(runner["requiredGates"] as? [String] == ["analyzer-rules", "test-specs"])
                _ = try await api.put("/api/configs", #"{"type":"Config","spec":{"analyticsEnabled":true}}"#)
                #expect(try await api.delete("/api/demos/pokeshop").status == 204)
            }
            let again = try Provisioning.parse(Self.provisioningYAML, source: "provisioning.yaml")
            try await withRunningServer(configuration, provisioning: again) { api async throws in
                #expect(try await api.store.configs.get().analyticsEnabled == true)
                #expect(try await api.store.demos.get("pokeshop") == nil)
            }
        }
    }

    @Test("three servers starting at once on an empty PostgreSQL database: one migration each, one provisioning")
    func concurrentStarts() async throws {
        try await withTestConfiguration(.postgresql) { configuration in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let provisioning = try Provisioning.parse(Self.provisioningYAML, source: "provisioning.yaml")
                        try await withRunningServer(configuration, provisioning: provisioning) { api async throws in
                            #expect(try await api.store.tests.get("provisioned-test")?.name == "From provisioning")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await withRunningServer(configuration) { api async throws in
                let versions = try await api.store.database.read { db in
                    try await db.query("SELECT version, COUNT(*) AS copies FROM schema_migrations GROUP BY version")
                }
                #expect(!versions.isEmpty && versions.allSatisfy { (try? $0.int64("copies")) == 1 })
                #expect(
                    try await api.store.database.read { db in try await db.query("SELECT id FROM server") }.count == 1)
                let tests = try await api.get("/api/tests")
                #expect((try tests.object()["count"] as? Int) == 1, "\(tests)")
            }
        }
    }

    @Test("a bad document is named by number and field, and nothing is applied")
    func badDocument() throws {
        let broken = Self.provisioningYAML.replacingOccurrences(of: "name: Pokeshop", with: "name: [Pokeshop")
        #expect {
            _ = try Provisioning.parse(broken, source: "p.yaml")
        } throws: { error in
            "\(error)".hasPrefix("p.yaml: ") && "\(error)".contains("line")
        }
        let wrongType = Self.provisioningYAML.replacingOccurrences(
            of: "values: [{key: HOST, value: demo-api}]", with: "values: {key: HOST, value: demo-api}")
        #expect {
            _ = try Provisioning.parse(wrongType, source: "p.yaml")
        } throws: { error in
            "\(error)".contains("p.yaml, document 5 (VariableSet): spec.values")
        }
        let invalid = Self.provisioningYAML.replacingOccurrences(of: "  name: Jaeger\n", with: "")
        #expect {
            _ = try Provisioning.parse(invalid, source: "p.yaml")
        } throws: { error in
            "\(error)" == "p.yaml, document 1 (DataStore): data store should have a name"
        }
        #expect {
            _ = try Provisioning.parse("type: Transaction\nspec: {name: t}", source: "p.yaml")
        } throws: { error in
            "\(error)".contains("document 1: type \"Transaction\" cannot be provisioned (write TestSuite)")
        }
    }

    @Test(
        "a duplicate id inside the file stops start-up and leaves a new, empty installation",
        arguments: TestBackend.allCases)
    func duplicateRollsBack(backend: TestBackend) async throws {
        let yaml = """
            type: Config
            spec: {analyticsEnabled: false}
            ---
            type: Demo
            spec: {id: same, name: a, type: pokeshop}
            ---
            type: Demo
            spec: {id: same, name: b, type: pokeshop}
            """
        let provisioning = try Provisioning.parse(yaml, source: "p.yaml")
        try await withTestConfiguration(backend) { configuration in
            let error = await #expect(throws: ProvisioningError.self) {
                try await withRunningServer(configuration, provisioning: provisioning) { _ in }
            }
            #expect(error?.description == "p.yaml, document 3 (Demo): demo with same ID already exists: same")
            try await withRunningServer(configuration) { api async throws in
                #expect(try await api.store.server.serverID() != nil)
                #expect(try await api.store.configs.get().analyticsEnabled == true)
                #expect(try await api.store.demos.get("same") == nil)
            }
        }
    }

    @Test("TRACETEST_PROVISIONING holds base64 YAML; bad base64 is an error")
    func environmentVariable() throws {
        let encoded = Data("type: Config\nspec: {analyticsEnabled: false}\n".utf8).base64EncodedString()
        let provisioning = try #require(
            try Provisioning.load(file: nil, environment: ["TRACETEST_PROVISIONING": encoded]))
        #expect(provisioning.count == 1 && provisioning.source == "TRACETEST_PROVISIONING")
        #expect(try Provisioning.load(file: nil, environment: [:]) == nil)
        #expect(throws: ProvisioningError.self) {
            try Provisioning.load(file: nil, environment: ["TRACETEST_PROVISIONING": "not base64!"])
        }
        #expect(throws: ProvisioningError.self) { try Provisioning.load(file: "/nonexistent/p.yaml", environment: [:]) }
    }

    @Test(
        "a restarted server still has every resource, all five singletons and older versions",
        arguments: TestBackend.allCases)
    func restart(backend: TestBackend) async throws {
        try await withTestConfiguration(backend) { configuration in
            var before: [String: String] = [:]
            try await withRunningServer(configuration) { api async throws in
                let bodies = [
                    ("tests", ResourceAPITests.testJSON(id: "t1", name: "kept")),
                    ("testsuites", #"{"type":"TestSuite","spec":{"id":"s1","name":"suite","steps":["t1"]}}"#),
                    (
                        "variablesets",
                        #"{"type":"VariableSet","spec":{"id":"v1","name":"vars","values":[{"key":"A","value":"1"}]}}"#
                    ),
                    ("demos", #"{"type":"Demo","spec":{"id":"d1","name":"demo","type":"pokeshop","enabled":true}}"#),
                ]
                for (plural, body) in bodies { #expect(try await api.post("/api/\(plural)", body).status == 201) }
                #expect(
                    try await api.put("/api/tests", ResourceAPITests.testJSON(id: "t1", name: "kept v2")).status == 200)
                for (plural, spec) in Self.singletons {
                    let defaults = try await api.get("/api/\(plural)/current").body
                    #expect(try await api.put("/api/\(plural)", #"{"type":"x","spec":\#(spec)}"#).status < 300)
                    #expect(try await api.get("/api/\(plural)/current").body != defaults, "\(plural)")
                }
                for path in Self.paths { before[path] = try await api.get(path, headers: augmentedHeaders).body }
            }
            try await withRunningServer(configuration) { api async throws in
                for path in Self.paths {
                    #expect(try await api.get(path, headers: augmentedHeaders).body == before[path], "\(path)")
                }
                let first = try await api.get("/api/tests/t1/version/1").object()
                #expect(first["name"] as? String == "kept" && first["version"] as? Int == 1)
                #expect(try await api.get("/api/tests/t1/version/2").object()["name"] as? String == "kept v2")
            }
        }
    }

    /// A value of every singleton other than its default.
    static let singletons = [
        (
            "datastores",
            #"{"name":"Jaeger","type":"jaeger","jaeger":{"endpoint":"jaeger:16685","tls":{"insecure":true}}}"#
        ),
        (
            "pollingprofiles",
            #"{"name":"slow","strategy":"periodic","periodic":{"retryDelay":"2s","timeout":"3m","selectorMatchRetries":5}}"#
        ),
        ("configs", #"{"analyticsEnabled":false}"#),
        (
            "analyzers",
            #"{"name":"lenient","enabled":false,"minimumScore":10,"plugins":[{"id":"common","enabled":false,"rules":[{"id":"prefer-dns","weight":100,"errorLevel":"disabled"}]}]}"#
        ),
        ("testrunners", #"{"name":"r","requiredGates":["analyzer-score"]}"#),
    ]

    static let paths = [
        "/api/tests/t1", "/api/testsuites/s1", "/api/variablesets/v1", "/api/demos/d1", "/api/tests",
        "/api/datastores/current", "/api/pollingprofiles/current", "/api/configs/current", "/api/analyzers/current",
        "/api/testrunners/current",
    ]
}
