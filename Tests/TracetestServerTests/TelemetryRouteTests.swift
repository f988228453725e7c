import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestModel

/// Runs a server on `backend` whose internal telemetry goes to a fresh OTLP receiver; the receiver is returned once
/// the server stopped, so everything the server recorded has been flushed to it.
func withTelemetryServer(
    _ backend: TestBackend,
    sampling: Double? = 100,
    pathPrefix: String = "",
    otlpServer: Bool = false,
    _ body: (TestAPI, OTLPTestReceiver) async throws -> Void
) async throws -> OTLPTestReceiver {
    let receiver = try await OTLPTestReceiver.start()
    try await withTestConfiguration(backend) { configuration in
        var configuration = configuration
        configuration.otlpServer.enabled = otlpServer
        configuration.server.pathPrefix = pathPrefix
        configuration.telemetry.exporters["collector"] = ExporterSettings(
            serviceName: "tracetest", sampling: sampling, metricsReaderInterval: .seconds(10),
            exporterType: "collector", collectorEndpoint: receiver.grpcEndpoint)
        configuration.server.telemetry.exporter = "collector"
        try await withRunningServer(configuration) { api in try await body(api, receiver) }
    }
    return receiver
}

func testJSON(id: String) -> String {
    #"{"type":"Test","spec":{"id":"\#(id)","name":"telemetry \#(id)","trigger":{"type":"http","#
        + #""httpRequest":{"url":"http://app:8080/items","method":"GET"}}}}"#
}

func jsonObject(_ text: String?) -> [String: Any]? {
    text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

/// Route spans and database spans of the HTTP API (engine-telemetry.md §4.3, DECISIONS "Internal telemetry").
@Suite("Telemetry: route and database spans")
struct TelemetryRouteTests {
    @Test(
        "a request makes a route span under the caller's traceparent, with database spans under it",
        arguments: TestBackend.allCases)
    func routeAndDatabaseSpans(backend: TestBackend) async throws {
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let callerSpan = "00f067aa0ba902b7"
        let id = "tel-\(backend)"
        let receiver = try await withTelemetryServer(backend) { api, _ in
            let created = try await api.post(
                "/api/tests", testJSON(id: id),
                headers: ["Content-Type": "application/json", "traceparent": "00-\(traceID)-\(callerSpan)-01"])
            #expect(created.status == 201, "\(created)")
            #expect(try await api.get("/api/tests/\(id)").status == 200)
            #expect(try await api.get("/api/tests?take=5&skip=0").status == 200)
            let duplicate = try await api.post(
                "/api/tests", testJSON(id: id), headers: ["Content-Type": "application/json"])
            #expect(duplicate.status == 400)
            #expect(try await api.get("/api/nothing-here").status == 404)
        }
        let spans = try receiver.spans()
        let spansByID = Dictionary(spans.map { ($0.spanID, $0) }) { first, _ in first }

        let create = try #require(spans.first { $0.name == "POST /api/tests" && $0.traceID == traceID })
        #expect(create.parentSpanID == callerSpan)
        #expect(create.kind == 1)
        #expect(create.attributes["http.method"] == "POST")
        #expect(create.attributes["http.route"] == "/api/tests")
        #expect(create.attributes["http.target"] == "/api/tests")
        #expect(create.attributes["http.response.status_code"] == "201")
        #expect(create.attributeTypes["http.response.status_code"] == "int")
        #expect(create.attributes["http.request.params"] == "{}")
        let headers = try #require(jsonObject(create.attributes["http.request.headers"]) as? [String: [String]])
        #expect(headers["Traceparent"] == ["00-\(traceID)-\(callerSpan)-01"])
        #expect(headers["Content-Type"] == ["application/json"])
        #expect(create.statusCode != 2)

        let database = spans.filter { $0.parentSpanID == create.spanID }
        #expect(!database.isEmpty)
        for span in database {
            #expect(span.kind == 3, "\(span)")
            #expect(span.name.hasPrefix("exec ") || span.name.hasPrefix("query "), "\(span)")
            #expect(span.attributes["db.system"] == backend.rawValue)
            #expect(span.traceID == traceID)
        }
        let insert = try #require(database.first { $0.attributes["sql.query"]?.contains("INSERT INTO tests") == true })
        #expect(insert.name == "exec INSERT" || insert.name == "query INSERT")

        let get = try #require(spans.first { $0.name == "GET /api/tests/{id}" })
        #expect(get.attributes["http.route"] == "/api/tests/{id}")
        #expect(get.attributes["http.request.params"] == #"{"id":"\#(id)"}"#)
        #expect(get.parentSpanID.isEmpty, "no traceparent: a new trace")

        let list = try #require(spans.first { $0.name == "GET /api/tests" })
        #expect(list.attributes["http.target"] == "/api/tests?take=5&skip=0")
        #expect(list.attributes["http.request.query"] == #"{"skip":["0"],"take":["5"]}"#)
        #expect(spans.contains { $0.parentSpanID == list.spanID && $0.name == "query SELECT" })

        let rejected = try #require(
            spans.first { $0.name == "POST /api/tests" && $0.attributes["http.response.status_code"] == "400" })
        #expect(rejected.statusCode == 2)
        #expect(rejected.statusMessage.contains("test with same ID already exists"), "\(rejected.statusMessage)")
        #expect(rejected.events.contains { $0.name == "exception" })

        let unmatched = try #require(spans.first { $0.attributes["http.target"] == "/api/nothing-here" })
        #expect(unmatched.name == "GET /" && unmatched.attributes["http.route"] == "/")
        #expect(unmatched.attributes["http.response.status_code"] == "404")

        // No root database spans: start-up (migrations, installation) ran with no span active.
        for span in spans where span.attributes["db.system"] != nil {
            let parent = try #require(spansByID[span.parentSpanID], "database span without its parent: \(span)")
            #expect(parent.attributes["http.route"] != nil)
        }

        let latency = try #require(try receiver.metricExports().last?.metric("http.server.latency"))
        #expect(latency.unit == "ms")
        #expect(
            latency.points.contains {
                $0.attributes == ["http.route": "/api/tests", "http.method": "POST", "http.status_code": "201"]
                    && $0.count == 1
            })
        #expect(latency.points.contains { $0.attributes["http.route"] == "/api/tests/{id}" })
    }

    @Test("route names leave out server.pathPrefix")
    func pathPrefix() async throws {
        let receiver = try await withTelemetryServer(.sqlite, pathPrefix: "/tracetest/") { api, _ in
            let list = try await api.get("/tracetest/api/tests")
            let missing = try await api.get("/tracetest/api/tests/missing")
            #expect(list.status == 200 && missing.status == 404)
        }
        let names = try receiver.spans().map(\.name)
        #expect(names.contains("GET /api/tests"))
        #expect(names.contains("GET /api/tests/{id}"))
        #expect(!names.contains { $0.contains("/tracetest") })
    }

    @Test("sampling 0 exports no spans, while metrics still arrive")
    func samplingZero() async throws {
        let receiver = try await withTelemetryServer(.sqlite, sampling: 0) { api, _ in
            for _ in 0..<20 {
                let response = try await api.get("/api/tests")
                #expect(response.status == 200)
            }
        }
        #expect(try receiver.spans().isEmpty)
        let latency = try #require(try receiver.metricExports().last?.metric("http.server.latency"))
        #expect(latency.points.first { $0.attributes["http.route"] == "/api/tests" }?.count == 20)
    }
}

/// The OTLP receiver's `Export trace` span, and no feedback loop when the server's telemetry comes back to it.
@Suite("Telemetry: OTLP receiver")
struct TelemetryReceiverTests {
    @Test(
        "each export request makes an Export trace root span, except the server's own telemetry",
        arguments: ["grpc", "http"])
    func exportTraceSpan(transport: String) async throws {
        let foreignTrace = TraceID.random().hex
        let ownTrace = TraceID.random().hex
        var instanceID = ""
        let receiver = try await withTelemetryServer(.sqlite, otlpServer: true) { api, receiver in
            let target =
                transport == "grpc"
                ? "127.0.0.1:\(try #require(api.otlpGRPCPort))" : "http://127.0.0.1:\(try #require(api.otlpHTTPPort))"
            // A route span tells the server's instance id.
            #expect(try await api.get("/api/tests").status == 200)
            instanceID = try await receiver.wait(for: "the first span") { receiver in
                try receiver.spans().first?.resource["service.instance.id"]
            }
            try await OTLPTestReceiver.send(
                transport: transport, target: target, traceID: foreignTrace,
                resource: ["service.name": "shop", "service.instance.id": "someone-else"])
            try await OTLPTestReceiver.send(
                transport: transport, target: target, traceID: ownTrace,
                resource: ["service.name": "tracetest", "service.instance.id": instanceID])
            let spans = try #require(api.spans)
            #expect(try await spans.spans(of: #require(TraceID(hex: foreignTrace))).count == 1)
            #expect(try await spans.spans(of: #require(TraceID(hex: ownTrace))).count == 1, "still ingested")
        }
        let exports = try receiver.spans().filter { $0.name == "Export trace" }
        #expect(exports.count == 1, "\(exports)")
        let export = try #require(exports.first)
        #expect(export.parentSpanID.isEmpty && export.kind == 1)
        #expect(export.resource["service.instance.id"] == instanceID)
        let ingested = try #require(try receiver.metricExports().last?.metric("tracetest.otlp.ingested_spans"))
        #expect(ingested.points.first { $0.attributes["transport"] == transport }?.value == 2)
    }
}
