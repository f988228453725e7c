import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

/// Runs whose data store is Jaeger or Tempo: the server polls the store (the stand-ins of Tests/ServerTestSupport,
/// written from their wire definitions) instead of waiting on its own OTLP receiver.
@Suite("Runs against trace stores")
struct TraceStoreRunTests {
    static let specs = """
        [{"selector":"span[name=\\"POST /pokemon/import\\"] span[tracetest.span.type=\\"database\\"]",\
        "assertions":["attr:db.system = \\"postgresql\\"","attr:service.name = \\"pokeshop\\"",\
        "attr:tracetest.selected_spans.count = 1"]}]
        """

    /// The stores a server-level run is checked against, each with its stand-in.
    enum Store: String, CaseIterable, Sendable {
        case jaeger, tempoGRPC, tempoHTTP

        var name: String { self == .jaeger ? "Jaeger" : "Tempo" }

        func dataStore(port: Int) -> String {
            switch self {
            case .jaeger: #""jaeger":{"endpoint":"127.0.0.1:\#(port)","tls":{"insecure":true}}"#
            case .tempoGRPC:
                #""tempo":{"type":"grpc","grpc":{"endpoint":"127.0.0.1:\#(port)","tls":{"insecure":true}}}"#
            case .tempoHTTP: #""tempo":{"type":"http","http":{"url":"http://127.0.0.1:\#(port)"}}"#
            }
        }

        /// Runs `body` with a stand-in of this store holding `traces`, and its port.
        func withStandIn(_ traces: [TraceID: [OTLPResourceSpans]], _ body: (Int) async throws -> Void) async throws {
            if self == .tempoHTTP {
                try await withHTTPStandIn(tempoHTTPRouter(traces, json: false), body)
            } else {
                let standIn = GRPCTraceStoreStandIn()
                for spans in traces.values { standIn.store(spans) }
                try await withGRPCStandIn(standIn, body)
            }
        }

        func use(_ api: TestAPI, port: Int, timeout: String = "3s") async throws {
            let type = self == .jaeger ? "jaeger" : "tempo"
            let store = """
                {"type":"DataStore","spec":{"id":"current","name":"\(name)","type":"\(type)",\(dataStore(port: port))}}
                """
            #expect(try await api.put("/api/datastores/current", store).status == 200)
            let profile = """
                {"type":"PollingProfile","spec":{"name":"quick","strategy":"periodic",\
                "periodic":{"retryDelay":"200ms","timeout":"\(timeout)","selectorMatchRetries":1}}}
                """
            #expect(try await api.put("/api/pollingprofiles/current", profile).status == 200)
        }
    }

    @Test(
        "a trace-id run polls the store and finishes with specs on names, attributes, structure and service.name",
        arguments: Store.allCases)
    func finishes(store: Store) async throws {
        let traceID = TraceID.random()
        try await store.withStandIn([traceID: SampleTrace.resourceSpans(traceID)]) { port in
            try await withTestServer(.sqlite) { api in
                try await store.use(api, port: port)
                try await api.create("/api/tests", RunEngineTests.traceIDTest(id: "stored", specs: Self.specs))
                let run = try await api.runToEnd("stored", RunEngineTests.variables(traceID: traceID.hex))
                #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
                #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")
                let events = try await api.get("/api/tests/stored/run/\(try runID(of: run))/events").json()
                let list = events as? [[String: Any]] ?? []
                let connection = try #require(list.first { $0["type"] as? String == "DATA_STORE_CONNECTION_INFO" })
                let steps = try #require(connection["dataStoreConnection"] as? [String: Any])
                #expect((steps["fetchTraces"] as? [String: Any])?["passed"] as? Bool == true, "\(steps)")
                let start = try #require(list.first { $0["type"] as? String == "POLLING_START" })
                let type = store == .jaeger ? "jaeger" : "tempo"
                #expect((start["description"] as? String)?.contains("using \(type)") == true)
            }
        }
    }

    @Test(
        "a trace the store never has ends TRACE_FAILED after the profile's timeout, naming the store",
        arguments: Store.allCases)
    func unknownTraceTimesOut(store: Store) async throws {
        try await store.withStandIn([:]) { port in
            try await withTestServer(.sqlite) { api in
                try await store.use(api, port: port, timeout: "1s")
                try await api.create("/api/tests", RunEngineTests.traceIDTest(id: "missing"))
                let run = try await api.runToEnd("missing", RunEngineTests.variables(traceID: TraceID.random().hex))
                #expect(run["state"] as? String == "TRACE_FAILED")
                let reason = run["lastErrorState"] as? String ?? ""
                #expect(
                    reason.hasPrefix("timeout: trace ") && reason.contains("was not found in \(store.name) within 1s"),
                    "\(reason)")
            }
        }
    }

    @Test("a store that cannot be reached fails the run at the first poll with the reason, not after the timeout")
    func unreachableStoreFailsAtOnce() async throws {
        try await withClosedPort { port in
            try await withTestServer(.sqlite) { api in
                // A timeout long enough that waiting it out would fail the test's own wait.
                try await Store.jaeger.use(api, port: port, timeout: "10m")
                try await api.create("/api/tests", RunEngineTests.traceIDTest(id: "down"))
                let run = try await api.runToEnd("down", RunEngineTests.variables(traceID: TraceID.random().hex))
                #expect(run["state"] as? String == "TRACE_FAILED")
                let reason = run["lastErrorState"] as? String ?? ""
                #expect(reason.hasPrefix("cannot reach Jaeger at 127.0.0.1:\(port)"), "\(reason)")
            }
        }
    }

    @Test("an HTTP-trigger run where the demo app exports to Jaeger, not to this server")
    func httpTriggerThroughJaeger() async throws {
        let standIn = GRPCTraceStoreStandIn()
        try await withGRPCStandIn(standIn) { jaeger in
            try await Python.withDemoApp(otlpPort: jaeger) { demo in
                try await withTestServer(.sqlite) { api in
                    try await Store.jaeger.use(api, port: jaeger, timeout: "20s")
                    let test = """
                        {"type":"Test","spec":{"id":"import","name":"Import through Jaeger",\
                        "trigger":{"type":"http","httpRequest":{"method":"POST",\
                        "url":"http://127.0.0.1:\(demo)/pokemon","body":"{\\"name\\":\\"charmander\\"}",\
                        "headers":[{"key":"Content-Type","value":"application/json"}]}},\
                        "specs":[{"selector":"span[tracetest.span.type=\\"http\\" name=\\"POST /pokemon\\"]",\
                        "assertions":["attr:http.status_code = 201"]},\
                        {"selector":"span[name=\\"POST /pokemon\\"] span[tracetest.span.type=\\"database\\"]",\
                        "assertions":["attr:tracetest.selected_spans.count = 1"]}]}}
                        """
                    try await api.create("/api/tests", test)
                    let run = try await api.runToEnd("import")
                    #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
                    #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")
                    // The application's spans are in the store, where the run found them.
                    let traceID = try #require(TraceID(hex: run["traceId"] as? String ?? ""))
                    #expect(!standIn.resourceSpans(of: traceID).isEmpty)
                }
            }
        }
    }

    @Test("POST /api/config/connection tests a store: every step against Jaeger, connectivity on a closed port")
    func connectionEndpoint() async throws {
        try await withGRPCStandIn(GRPCTraceStoreStandIn()) { jaeger in
            try await withTestServer(.sqlite) { api in
                func test(port: Int) async throws -> [String: Any] {
                    let body = """
                        {"name":"Jaeger","type":"jaeger","jaeger":{"endpoint":"127.0.0.1:\(port)","tls":{"insecure":true}}}
                        """
                    let response = try await api.post("/api/config/connection", body)
                    #expect(response.status == 200)
                    return try response.object()
                }
                let passing = try await test(port: jaeger)
                #expect(Set(passing.keys) == ["portCheck", "connectivity", "authentication", "fetchTraces"])
                #expect((passing["fetchTraces"] as? [String: Any])?["status"] as? String == "passed")
                #expect((passing["portCheck"] as? [String: Any])?["status"] as? String == "warning")
                try await withClosedPort { closed in
                    let failing = try await test(port: closed)
                    #expect((failing["connectivity"] as? [String: Any])?["passed"] as? Bool == false)
                    #expect(failing["authentication"] == nil)
                }
                // OTLP stores have nothing to test; a bad store is a 400 naming the problem.
                let otlp = try await api.post("/api/config/connection", #"{"name":"OTLP","type":"otlp"}"#)
                #expect(otlp.status == 200)
                #expect(try otlp.object().isEmpty)
                let unknown = try await api.post("/api/config/connection", #"{"name":"X","type":"zipkin"}"#)
                #expect(unknown.status == 400)
                let missing = try await api.post("/api/config/connection", #"{"name":"J","type":"jaeger"}"#)
                #expect(missing.status == 400)
            }
        }
    }
}
