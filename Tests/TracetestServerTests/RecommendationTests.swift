import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import Yams

/// The recommendations of api-resources.md §10 and the defaults of §11.7 (with DECISIONS.md's polling profile), as a
/// client sees them over HTTP on both backends.
@Suite("Recommendations and defaults over HTTP")
struct RecommendationTests {
    static func names(_ list: [String: Any]) -> [String] {
        (list["items"] as? [[String: Any]] ?? []).compactMap { ($0["spec"] as? [String: Any])?["name"] as? String }
    }

    @Test("§10.11: variable sets sort by created as well as createdAt", arguments: TestBackend.allCases)
    func variableSetSortByCreated(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for name in ["bravo", "alpha", "charlie"] {
                #expect(
                    try await api.post("/api/variablesets", #"{"type":"VariableSet","spec":{"name":"\#(name)"}}"#)
                        .status == 201)
            }
            for field in ["created", "createdAt"] {
                let ascending = try await api.get("/api/variablesets?sortBy=\(field)&sortDirection=asc")
                #expect(ascending.status == 200, "\(field): \(ascending)")
                #expect(Self.names(try ascending.object()) == ["bravo", "alpha", "charlie"], "\(field)")
                let descending = try await api.get("/api/variablesets?sortBy=\(field)")
                #expect(Self.names(try descending.object()) == ["charlie", "alpha", "bravo"], "\(field)")
            }
            let byName = try await api.get("/api/variablesets?sortBy=name&sortDirection=asc").object()
            #expect(Self.names(byName) == ["alpha", "bravo", "charlie"])
        }
    }

    @Test("§10.12: GET /api/datastores/<any id> answers the current data store", arguments: TestBackend.allCases)
    func dataStoreByAnyID(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let jaeger =
                #"{"type":"DataStore","spec":{"name":"Jaeger","type":"jaeger","jaeger":{"endpoint":"j:16685"}}}"#
            #expect(try await api.put("/api/datastores", jaeger).status == 201)
            let current = try await api.get("/api/datastores/current")
            #expect((try current.object()["spec"] as? [String: Any])?["type"] as? String == "jaeger")
            for id in ["otlp", "anything", "fH_8AulVR"] {
                let other = try await api.get("/api/datastores/\(id)")
                #expect(other.status == 200 && other.body == current.body, "\(id)")
            }
        }
    }

    @Test("§10.14: demos are searched by name, ignoring case", arguments: TestBackend.allCases)
    func demoQuery(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for (id, name, type) in [("d1", "Pokeshop", "pokeshop"), ("d2", "OTel Store", "otelstore")] {
                #expect(
                    try await api.post(
                        "/api/demos", #"{"type":"Demo","spec":{"id":"\#(id)","name":"\#(name)","type":"\#(type)"}}"#
                    )
                    .status == 201)
            }
            for query in ["poke", "POKE", "kesh"] {
                let found = try await api.get("/api/demos?query=\(query)")
                #expect(found.status == 200, "\(found)")
                let list = try found.object()
                #expect(list["count"] as? Int == 1, "\(query)")
                #expect(Self.names(list) == ["Pokeshop"], "\(query)")
            }
            let store = try await api.get("/api/demos?query=otel%20store").object()
            #expect(Self.names(store) == ["OTel Store"])
            let none = try await api.get("/api/demos?query=jaeger").object()
            #expect(none["count"] as? Int == 0 && Self.names(none).isEmpty)
        }
    }

    @Test(
        "§10.8: Kafka authentication is read from either spelling and written as `authetication`",
        arguments: TestBackend.allCases)
    func kafkaSpellings(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for (id, key) in [("k1", "authentication"), ("k2", "authetication")] {
                let body = #"""
                    {"type":"Test","spec":{"id":"\#(id)","trigger":{"type":"kafka","kafka":{"brokerUrls":["kafka:9092"],
                    "topic":"t","\#(key)":{"type":"plain","plain":{"username":"u","password":"p"}}}}}}
                    """#
                #expect(try await api.post("/api/tests", body).status == 201, "\(key)")
                let read = try await api.get("/api/tests/\(id)")
                let kafka = try #require(
                    ((try read.object()["spec"] as? [String: Any])?["trigger"] as? [String: Any])?["kafka"]
                        as? [String: Any])
                #expect(kafka["authentication"] == nil, "\(key)")
                let auth = try #require(kafka["authetication"] as? [String: Any], "\(key): \(read.body)")
                #expect(auth["type"] as? String == "plain")
                #expect((auth["plain"] as? [String: Any])?["username"] as? String == "u")
                #expect((auth["plain"] as? [String: Any])?["password"] as? String == "p")
            }
        }
    }

    @Test("§11.7: every singleton's default on a new installation", arguments: TestBackend.allCases)
    func singletonDefaults(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            func spec(_ plural: String) async throws -> [String: Any] {
                try #require(try await api.get("/api/\(plural)/current").object()["spec"] as? [String: Any])
            }
            let config = try await spec("configs")
            #expect(config.count == 3)
            #expect(config["id"] as? String == "current" && config["name"] as? String == "Config")
            #expect(config["analyticsEnabled"] as? Bool == true)

            let profile = try await spec("pollingprofiles")
            #expect(profile["id"] as? String == "current" && profile["name"] as? String == "default")
            #expect(profile["default"] as? Bool == true && profile["strategy"] as? String == "periodic")
            let periodic = try #require(profile["periodic"] as? [String: Any])
            #expect(periodic["retryDelay"] as? String == "500ms")
            #expect(periodic["timeout"] as? String == "1m")
            #expect(periodic["selectorMatchRetries"] as? Int == 3)

            let analyzer = try await spec("analyzers")
            #expect(analyzer["id"] as? String == "current" && analyzer["name"] as? String == "analyzer")
            #expect(analyzer["enabled"] as? Bool == true && analyzer["minimumScore"] as? Int == 0)
            let plugins = try #require(analyzer["plugins"] as? [[String: Any]])
            #expect(plugins.map { $0["id"] as? String } == ["standards", "common", "security"])
            #expect(plugins.allSatisfy { $0["enabled"] as? Bool == true })
            let rules = plugins.map { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
            #expect(
                rules == [
                    ["span-naming", "required-attributes", "attribute-naming", "no-empty-attributes"], ["prefer-dns"],
                    ["secure-https-protocol", "no-api-key-leak"],
                ])

            let runner = try await spec("testrunners")
            #expect(runner["id"] as? String == "current" && runner["name"] as? String == "default")
            #expect(runner["requiredGates"] as? [String] == ["test-specs"])

            let store = try await spec("datastores")
            #expect(store["id"] as? String == "current" && store["name"] as? String == "OTLP")
            #expect(store["type"] as? String == "otlp" && store["default"] as? Bool == true)
            #expect(Timestamp(rfc3339: store["createdAt"] as? String ?? "") != nil)
        }
    }

    @Test(
        "text/yaml-stream bodies: one document is read as YAML, several are a 400 and nothing is stored",
        arguments: TestBackend.allCases)
    func yamlStreamRequest(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let stream = ["Content-Type": "text/yaml-stream"]
            let one = "---\ntype: VariableSet\nspec:\n  id: streamed\n  name: streamed\n"
            let created = try await api.put("/api/variablesets", one, headers: stream)
            #expect(created.status == 201, "\(created)")
            #expect(created.header("Content-Type") == "text/yaml-stream")
            let spec = try #require((try Yams.load(yaml: created.body) as? [String: Any])?["spec"] as? [String: Any])
            #expect(spec["id"] as? String == "streamed")

            let two = one + "---\ntype: VariableSet\nspec:\n  id: second\n  name: second\n"
            for headers in [stream, yamlHeaders] {
                let refused = try await api.put("/api/variablesets", two, headers: headers)
                #expect(refused.status == 400, "\(refused)")
                let error = try #require(try Yams.load(yaml: refused.body) as? [String: Any])
                #expect(
                    error["error"] as? String
                        == "cannot parse body: it holds 2 YAML documents; send one resource per request")
            }
            #expect(try await api.get("/api/variablesets/second").status == 404)
            let onlySeparators = try await api.put("/api/variablesets", "---\n---\n", headers: stream)
            #expect(onlySeparators.status == 400)
            #expect(onlySeparators.body.contains("cannot parse body: request body is empty"))
        }
    }

    @Test("/health answers 503 once the database is gone")
    func healthWithoutDatabase() async throws {
        try await withTestConfiguration(.postgresql) { configuration in
            let database = try #require(configuration.postgres?.database)
            try await withRunningServer(configuration) { api async throws in
                #expect(try await api.get("/health").status == 200)
                try await TestPostgresDatabase.drop(named: database)
                let started = ContinuousClock.now
                let response = try await api.get("/health")
                #expect(ContinuousClock.now - started < .seconds(10), "answered in time")
                #expect(response.status == 503)
                let body = try response.object()
                #expect(body["status"] as? String == "unavailable")
                #expect((body["error"] as? String)?.hasPrefix("database unavailable: ") == true, "\(body)")
            }
        }
    }
}
