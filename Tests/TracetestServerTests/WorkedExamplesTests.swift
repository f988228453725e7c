import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import Yams

/// The worked examples of api-resources.md §9, sent whole through the HTTP API and read back unchanged.
@Suite("Worked examples over HTTP")
struct WorkedExamplesTests {
    /// The `createdAt` of the §9.2 example; the server sets its own, which the comparisons put back in its place.
    static let exampleCreatedAt = "2024-05-01T12:00:00.123456Z"

    /// `body` with its `createdAt` replaced by the example's, after checking that it is an RFC 3339 time.
    static func withExampleCreatedAt(_ body: String) throws -> String {
        let pattern = #/"createdAt":"([^"]*)"/#
        let match = try #require(body.firstMatch(of: pattern), "no createdAt in \(body)")
        #expect(Timestamp(rfc3339: String(match.1)) != nil, "createdAt \(match.1)")
        return body.replacing(pattern, maxReplacements: 1) { _ in #""createdAt":"\#(exampleCreatedAt)""# }
    }

    @Test(
        "§9.1 YAML in, §9.1 YAML and the §9.2 JSON out, byte for byte and in Tracetest's key order",
        arguments: TestBackend.allCases)
    func testExample(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let created = try await api.put("/api/tests", Examples.testYAML, headers: yamlHeaders)
            #expect(created.status == 201, "\(created)")

            let yaml = try await api.get("/api/tests/fH_8AulVR", headers: yamlHeaders)
            #expect(
                try Yams.load(yaml: yaml.body) as? NSDictionary == Yams.load(yaml: Examples.testYAML) as? NSDictionary)

            let augmented = try await api.get("/api/tests/fH_8AulVR", headers: augmentedHeaders)
            #expect(augmented.header("Content-Type") == "application/json")
            #expect(try Self.withExampleCreatedAt(augmented.body) == Examples.augmentedTestJSON)

            // Without the header: the same document without createdAt, version and summary.
            let readOnly = [
                #""createdAt":"\#(Self.exampleCreatedAt)","#, #""version":1,"#,
                #","summary":{"runs":0,"lastRun":{"time":"0001-01-01T00:00:00Z","passes":0,"fails":0,"analyzerScore":0}}"#,
            ]
            var plain = Examples.augmentedTestJSON
            for field in readOnly {
                try #require(plain.contains(field))
                plain = plain.replacingOccurrences(of: field, with: "")
            }
            #expect(try await api.get("/api/tests/fH_8AulVR").body == plain)

            // Sending back what was read (§9.2, read-only fields included) changes nothing: still version 1.
            let again = try await api.put("/api/tests", Examples.augmentedTestJSON)
            #expect(again.status == 200)
            #expect(again.body == plain)
            let reread = try await api.get("/api/tests/fH_8AulVR", headers: augmentedHeaders)
            #expect(reread.body == augmented.body)
        }
    }

    @Test(
        "each trigger kind of §9.2 is stored and read back byte for byte",
        arguments: TestBackend.allCases, Examples.triggers)
    func triggerKind(backend: TestBackend, trigger: String) async throws {
        try await withTestServer(backend) { api in
            let body = #"{"type":"Test","spec":{"id":"trigger-kind","name":"a trigger","trigger":\#(trigger)}}"#
            let created = try await api.post("/api/tests", body)
            #expect(created.status == 201, "\(created)")
            #expect(created.body == body)
            #expect(try await api.get("/api/tests/trigger-kind").body == body)
            let yaml = try await api.get("/api/tests/trigger-kind", headers: ["Accept": "text/yaml"])
            #expect(try Yams.load(yaml: yaml.body) as? NSDictionary == Yams.load(yaml: body) as? NSDictionary)
        }
    }

    @Test("the §9.5 TestSuite is stored and read back byte for byte", arguments: TestBackend.allCases)
    func suiteExample(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let created = try await api.post("/api/testsuites", Examples.suiteJSON)
            #expect(created.status == 201)
            #expect(created.body == Examples.suiteJSON)
            let read = try await api.get("/api/testsuites/Tx1")
            #expect(read.body == Examples.suiteJSON)
        }
    }

    @Test("every §9.6 document is applied and read back unchanged", arguments: TestBackend.allCases)
    func otherExamples(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for document in Examples.otherSpecs.components(separatedBy: "\n---\n") {
                var expected = try #require(try Yams.load(yaml: document) as? [String: Any])
                let kind = try #require(ResourceKind(typeName: expected["type"] as? String ?? ""))
                var expectedSpec = try #require(expected["spec"] as? [String: Any])
                let id = kind.isSingleton ? ResourceKind.singletonID : try #require(expectedSpec["id"] as? String)

                let applied = try await api.put("/api/\(kind.plural)", document, headers: yamlHeaders)
                #expect(applied.status < 300, "\(kind): \(applied)")
                let read = try await api.get("/api/\(kind.plural)/\(id)", headers: yamlHeaders)
                var actual = try #require(try Yams.load(yaml: read.body) as? [String: Any])
                var actualSpec = try #require(actual["spec"] as? [String: Any])
                // Set by the server when the document has none: the Tempo data store and the variable set.
                if [.dataStore, .variableSet].contains(kind), expectedSpec["createdAt"] == nil {
                    let createdAt = actualSpec.removeValue(forKey: "createdAt") as? String
                    #expect(Timestamp(rfc3339: createdAt ?? "") != nil, "\(kind) createdAt \(createdAt ?? "none")")
                }
                if kind == .dataStore, expectedSpec["id"] == nil {
                    expectedSpec["id"] = "current"
                    expectedSpec["default"] = true
                }
                actual["spec"] = actualSpec
                expected["spec"] = expectedSpec
                #expect(NSDictionary(dictionary: actual) == NSDictionary(dictionary: expected), "\(kind): \(read.body)")
            }
        }
    }
}
