import ServerTestSupport
import TestSupport
import Testing

/// Resources that fail validation, through every write route, on both backends (api-resources.md §1.5, §10.1).
@Suite("Validation over HTTP")
struct ValidationAPITests {
    /// A bad spec of one kind, the problem it must be refused with, and a valid spec of that kind (stored first, to
    /// check that a refused update leaves it as it was).
    struct BadInput: Sendable, CustomStringConvertible {
        var plural: String
        var id: String
        var bad: String
        var problem: String
        var valid: String

        var description: String { "\(plural): \(bad)" }
    }

    static let validVariableSet = #"{"id":"v","name":"env","values":[{"key":"A","value":"1"}]}"#
    static let validDataStore =
        #"{"name":"Tempo","type":"tempo","tempo":{"type":"http","http":{"url":"http://tempo:3200"}}}"#
    static let validProfile =
        #"{"name":"fast","strategy":"periodic","periodic":{"retryDelay":"1s","timeout":"30s","selectorMatchRetries":1}}"#
    static let validAnalyzer = #"{"name":"strict","enabled":false,"minimumScore":50}"#
    static let validRunner = #"{"name":"r","requiredGates":["analyzer-score"]}"#

    static let cases: [BadInput] = [
        BadInput(
            plural: "tests", id: "t", bad: #"{"id":"t","name":"t","trigger":{"type":"htp"}}"#,
            problem:
                #"trigger.type: unknown trigger type "htp" (use one of: http, grpc, traceid, kafka, graphql, playwrightengine, artillery, cypress, k6, playwright)"#,
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "tests", id: "t", bad: #"{"id":"t","trigger":{"type":"grpc","grpc":{"address":"localhost"}}}"#,
            problem: #"trigger.grpc.address: "localhost" is not host:port (for example localhost:8080)"#,
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "tests", id: "t",
            bad: #"{"id":"t","trigger":{"type":"grpc","grpc":{"address":"localhost:1","method":"getPokemon"}}}"#,
            problem: #"trigger.grpc.method: "getPokemon" is not written as package.Service.Method"#,
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "tests", id: "t", bad: #"{"id":"t","trigger":{"type":"kafka","kafka":{"brokerUrls":[]}}}"#,
            problem: "trigger.kafka.brokerUrls: missing: give at least one broker as host:port",
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "tests", id: "t",
            bad: #"{"id":"t","trigger":{"type":"kafka","kafka":{"brokerUrls":["k:9092"],"topic":""}}}"#,
            problem: "trigger.kafka.topic: missing: give the topic to send the message to",
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "tests", id: "t",
            bad: #"{"id":"t","trigger":{"type":"graphql","graphql":{"url":"ftp://x/","body":{"query":"{a}"}}}}"#,
            problem: #"trigger.graphql: url "ftp://x/" is not an http or https URL"#,
            valid: #"{"id":"t","name":"t","trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://x/"}}}"#),
        BadInput(
            plural: "variablesets", id: "v", bad: #"{"id":"v","name":"env","values":[{"key":"","value":"x"}]}"#,
            problem: "variable set value name cannot be empty", valid: validVariableSet),
        BadInput(
            plural: "datastores", id: "current", bad: #"{"type":"otlp"}"#, problem: "data store should have a name",
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current", bad: #"{"name":"j","type":"jaeger"}"#,
            problem: "data store of type jaeger needs its settings under spec.jaeger", valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad: #"{"name":"j","type":"jaeger","jaeger":{"tls":{"insecure":true}}}"#,
            problem: "spec.jaeger.endpoint is required (for example jaeger:16685)", valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current", bad: #"{"name":"j","type":"jaeger","jaeger":{"endpoint":"http://j"}}"#,
            problem: #"spec.jaeger.endpoint "http://j" is not host:port (for example jaeger:16685)"#,
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad: #"{"name":"t","type":"tempo","tempo":{"type":"http","http":{"url":"tempo:3200"}}}"#,
            problem:
                #"spec.tempo.http.url "tempo:3200" is not an http:// or https:// URL (for example http://tempo:3200)"#,
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad:
                #"{"name":"t","type":"tempo","tempo":{"type":"grpc","grpc":{"endpoint":"t:9095"},"maxResponseBytes":10}}"#,
            problem:
                "spec.tempo.maxResponseBytes 10 is out of range: use a number of bytes from 1024 to 2147483648 (for example 10485760 for 10 MB)",
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad: #"{"name":"o","type":"opensearch","opensearch":{"addresses":["http://o:9200","o:9200"],"index":"t"}}"#,
            problem:
                #"spec.opensearch.addresses[1] "o:9200" is not an http:// or https:// URL (for example http://opensearch:9200)"#,
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad: #"{"name":"x","type":"awsxray","awsxray":{"region":"us-east-1","accessKeyId":"AKIA"}}"#,
            problem: "spec.awsxray.secretAccessKey is required (for example the key's secret)", valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current",
            bad: #"{"name":"a","type":"azureappinsights","azureappinsights":{"connectionType":"pull"}}"#,
            problem: #"spec.azureappinsights.connectionType "pull" is not one of: direct, collector"#,
            valid: validDataStore),
        BadInput(
            plural: "datastores", id: "current", bad: #"{"name":"o","type":"otlp","createdAt":"yesterday"}"#,
            problem: #"createdAt "yesterday" is not an RFC 3339 time (e.g. 2024-05-01T12:00:00Z)"#,
            valid: validDataStore),
        BadInput(
            plural: "pollingprofiles", id: "current", bad: #"{"name":"p","strategy":"periodic"}"#,
            problem: "missing periodic polling profile configuration", valid: validProfile),
        BadInput(
            plural: "pollingprofiles", id: "current",
            bad: #"{"name":"p","strategy":"periodic","periodic":{"retryDelay":"1s","timeout":"forever"}}"#,
            problem: #"timeout configuration is invalid: invalid duration "forever": expected a number at "forever" "#
                + "(write a number with a unit: ns, us, ms, s, m, h, e.g. 500ms or 1m30s)",
            valid: validProfile),
        BadInput(
            plural: "analyzers", id: "current",
            bad: #"{"name":"a","enabled":true,"plugins":[{"id":"bogus","enabled":true,"rules":[]}]}"#,
            problem: #"plugin "bogus" not supported (use one of: standards, common, security)"#, valid: validAnalyzer),
        BadInput(
            plural: "analyzers", id: "current",
            bad:
                #"{"name":"a","plugins":[{"id":"common","enabled":true,"rules":[{"id":"span-naming","weight":100,"errorLevel":"error"}]}]}"#,
            problem: #"rule "span-naming" not found in plugin "common" (its rules: prefer-dns)"#, valid: validAnalyzer),
        BadInput(
            plural: "analyzers", id: "current", bad: #"{"name":"","enabled":true}"#,
            problem: "linter name cannot be empty", valid: validAnalyzer),
        BadInput(
            plural: "analyzers", id: "current", bad: #"{"name":"a","minimumScore":101}"#,
            problem: "minimumScore must be between 0 and 100, got 101", valid: validAnalyzer),
        BadInput(
            plural: "analyzers", id: "current", bad: #"{"name":"a","minimumScore":-1}"#,
            problem: "minimumScore must be between 0 and 100, got -1", valid: validAnalyzer),
        BadInput(
            plural: "testrunners", id: "current", bad: #"{"name":"r","requiredGates":["test-specs","fast"]}"#,
            problem: #"unknown required gate "fast" (use any of: analyzer-score, analyzer-rules, test-specs)"#,
            valid: validRunner),
    ]

    @Test(
        "an invalid resource is a 400 naming it on create, upsert and update; the stored record stays as it was",
        arguments: TestBackend.allCases)
    func refusedWithoutSaving(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            for input in Self.cases {
                let item = "/api/\(input.plural)/\(input.id)"
                let expected = "an error occurred while validating the resource: \(input.id). error: \(input.problem)"
                func refuse(_ method: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation)
                    async throws
                {
                    let response = try await api.send(
                        .init(rawValue: method), path, body: #"{"type":"x","spec":\#(input.bad)}"#)
                    #expect(response.status == 400, "\(method) \(path) \(input)", sourceLocation: sourceLocation)
                    let error = try response.object()
                    #expect(error["code"] as? Int == 400, sourceLocation: sourceLocation)
                    #expect(error["error"] as? String == expected, "\(method) \(path)", sourceLocation: sourceLocation)
                    #expect(error.count == 2, sourceLocation: sourceLocation)
                }

                // On whatever is stored now (nothing, the defaults, or a previous case's record).
                let initial = try await api.get(item)
                try await refuse("POST", "/api/\(input.plural)")
                try await refuse("PUT", "/api/\(input.plural)")
                let afterCreate = try await api.get(item)
                #expect(afterCreate.status == initial.status && afterCreate.body == initial.body, "\(input)")

                // Over a stored record.
                let stored = try await api.put("/api/\(input.plural)", #"{"type":"x","spec":\#(input.valid)}"#)
                #expect(stored.status < 300, "\(input): \(stored)")
                let before = try await api.get(item)
                #expect(before.status == 200)
                try await refuse("PUT", "/api/\(input.plural)")
                try await refuse("PUT", item)
                try await refuse("POST", "/api/\(input.plural)")
                let after = try await api.get(item)
                #expect(after.body == before.body, "\(input)")
                let list = try await api.get("/api/\(input.plural)").object()
                #expect(list["count"] as? Int == 1, "\(input)")
            }
        }
    }

    @Test(
        "an unknown key is a 400 naming it, where it is and the key meant (or the keys allowed); upstream's keys pass")
    func misspeltKeys() async throws {
        try await withTestServer(.sqlite) { api in
            let yaml = """
                type: Test
                spec:
                  name: typo
                  trigger:
                    type: http
                    httpRequest: {method: GET, url: "http://127.0.0.1:1/"}
                  spec:
                  - selector: span
                    assertions: ["attr:a = 1"]
                """
            let typo = try await api.post("/api/tests", yaml, headers: yamlHeaders)
            #expect(typo.status == 400)
            #expect(typo.body.contains("spec.spec: unknown key; did you mean `specs`? (line 7, column 3)"), "\(typo)")
            let nested = try await api.post(
                "/api/tests",
                #"{"type":"Test","spec":{"name":"n","specs":[{"selectr":"span","assertions":[]}]}}"#)
            #expect(nested.status == 400)
            #expect(nested.body.contains("spec.specs[0].selectr: unknown key; did you mean `selector`?"), "\(nested)")
            let method = try await api.post(
                "/api/tests",
                #"{"type":"Test","spec":{"name":"m","trigger":{"type":"http","httpRequest":{"metod":"GET","url":"http://x/"}}}}"#
            )
            #expect(method.body.contains("spec.trigger.httpRequest.metod: unknown key; did you mean `method`?"))
            // Upstream's keys that this server ignores, and its older shapes, pass.
            let other = try await api.post(
                "/api/tests",
                #"{"type":"Test","spec":{"name":"o","pollingProfile":"quick","specs":[{"selector":{"query":"span[]"},"#
                    + #""assertions":["attr:a = 1"]}],"trigger":{"type":"http","httpRequest":{"url":"http://x/","#
                    + #""auth":{"type":"bearer","bearer":{"token":"t"}}}}}}"#)
            #expect(other.status == 201, "\(other)")

            // A key far from every known one, deep in a document, of other kinds too.
            let far = try await api.post(
                "/api/tests",
                #"{"type":"Test","spec":{"name":"f","trigger":{"type":"http","httpRequest":{"url":"http://x/","#
                    + #""auth":{"type":"basic","basic":{"username":"u","passphrase":"p"}}}}}}"#)
            #expect(far.status == 400)
            #expect(
                far.body.contains(
                    "spec.trigger.httpRequest.auth.basic.passphrase: unknown key; the keys here are `password`, "
                        + "`username`"), "\(far)")
            let profile = try await api.put(
                "/api/pollingprofiles/current",
                """
                type: PollingProfile
                spec:
                  name: quick
                  strategy: periodic
                  periodic:
                    timeout: 30s
                    retryDelay: 1s
                    maxRetries: 3
                """, headers: yamlHeaders)
            #expect(profile.status == 400)
            #expect(
                profile.body.contains(
                    "spec.periodic.maxRetries: unknown key; the keys here are `retryDelay`, `selectorMatchRetries`, "
                        + "`timeout` (line 8, column 5)"), "\(profile)")
            let store = try await api.put(
                "/api/datastores/current",
                #"{"type":"DataStore","spec":{"name":"j","type":"jaeger","jaeger":{"endpoint":"j:16685","tsl":{}}}}"#)
            #expect(store.status == 400)
            #expect(store.body.contains("spec.jaeger.tsl: unknown key; did you mean `tls`?"), "\(store)")
        }
    }
}
