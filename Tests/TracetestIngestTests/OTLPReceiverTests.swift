import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestIngest
import TracetestModel
import TracetestStorage

let client = Bundle.module.path(forResource: "otlp_client", ofType: "py", inDirectory: "Fixtures")!

/// Sends with the Python OpenTelemetry SDK and returns the ids it printed.
func sendWithSDK(_ api: TestAPI, protocol transport: String, traceID: TraceID) async throws -> [String: String] {
    let endpoint =
        transport == "grpc" ? "http://127.0.0.1:\(api.otlpGRPCPort!)" : "http://127.0.0.1:\(api.otlpHTTPPort!)"
    let result = try await Python.json(
        client, ["sdk", "--protocol", transport, "--endpoint", endpoint, "--trace-id", traceID.hex])
    return result.compactMapValues { $0 as? String }
}

func endpoint(_ api: TestAPI, _ transport: String) -> String {
    "http://127.0.0.1:\(transport == "grpc" ? api.otlpGRPCPort! : api.otlpHTTPPort!)"
}

/// Waits until the store holds `count` spans of the trace (the SDK exports span by span).
func waitForSpans(_ spans: SpanStore, _ traceID: TraceID, count: Int) async throws -> [Span] {
    for _ in 0..<200 {
        let stored = try await spans.spans(of: traceID)
        if stored.count >= count { return stored }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await spans.spans(of: traceID)
}

@Suite("OTLP receiver")
struct OTLPReceiverTests {
    @Test(
        "spans from the OpenTelemetry SDK are stored for an expected trace, converted as Tracetest does",
        arguments: ["grpc", "http", "http-json"], TestBackend.allCases)
    func sdkSpans(transport: String, backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let traceID = TraceID.random()
            let spans = try #require(api.spans)
            try await spans.expect(traceID)
            let ids = try await sendWithSDK(api, protocol: transport, traceID: traceID)
            _ = try await waitForSpans(spans, traceID, count: 3)

            let stored = try await SpanRepository(database: api.store.database).spans(of: traceID)
            #expect(stored.count == 3)
            let parent = try #require(stored.first { $0.id.hex == ids["parent"] })
            let child = try #require(stored.first { $0.id.hex == ids["child"] })
            #expect(parent.name == "POST /purchase" && parent.kind == .server && parent.parentID == nil)
            #expect(child.name == "SELECT pokemon" && child.kind == .client && child.parentID == parent.id)
            #expect(parent.startTimeUnixNano > 0 && parent.endTimeUnixNano >= child.endTimeUnixNano)

            let attributes = parent.attributes
            #expect(attributes["http.method"] == "POST")
            #expect(attributes["http.status_code"] == "201")
            #expect(attributes["ratio.half"] == "1.5")
            #expect(attributes["ratio.tenth"] == "0.1")
            #expect(attributes["ratio.whole"] == "2")
            #expect(attributes["flag"] == "true")
            #expect(attributes["names"] == #"["a","b"]"#)
            #expect(attributes["counts"] == "[1,2]")
            #expect(attributes["ratios"] == "[1.5,2]")
            #expect(attributes["flags"] == "[true,false]")
            #expect(attributes["service.name"] == "checkout", "the resource's service.name wins over the scope name")
            #expect(attributes["deployment.environment"] == "test", "resource attributes win over span attributes")
            #expect(attributes["resource.only"] == "r")
            #expect(attributes["scope.only"] == "s")

            #expect(child.status == SpanStatus(code: "STATUS_CODE_ERROR", message: "row not found"))
            let event = try #require(child.events.first)
            #expect(event.name == "cache miss" && event.attributes == ["cache.key": "pokemon:52", "attempt": "2"])
            let link = try #require(child.links.first)
            #expect(link.traceID == traceID && link.spanID.hex == ids["linked"])
            #expect(link.attributes == ["link.reason": "retry"])

            let trace = Trace(traceID: traceID, spans: stored)
            let assembled = try #require(trace.spans.first { $0.id == child.id })
            #expect(assembled.attributes["tracetest.span.type"] == "database")
            #expect(assembled.attributes["tracetest.span.parent_id"] == parent.id.hex)
            #expect(assembled.attributes["tracetest.span.status_code"] == "STATUS_CODE_ERROR")
            #expect(assembled.attributes["tracetest.span.status_description"] == "row not found")
            #expect(assembled.attributes["span.events"]?.contains(#""name":"cache miss""#) == true)
            #expect(assembled.attributes["span.links"]?.contains(link.spanID.hex) == true)
            let duration = child.endTimeUnixNano - child.startTimeUnixNano
            #expect(assembled.attributes["tracetest.span.duration"] == String(duration))
            #expect(assembled.attributes["tracetest.span.name"] == "SELECT pokemon")
            #expect(assembled.attributes["tracetest.span.start_time"] == String(child.startTimeUnixNano))
            #expect(assembled.attributes["tracetest.span.end_time"] == String(child.endTimeUnixNano))
            let linked = try #require(trace.spans.first { $0.id == link.spanID })
            #expect(linked.kind == .internal && linked.parentID == parent.id)
            #expect(trace.spans.first { $0.id == parent.id }?.attributes["tracetest.span.type"] == "http")
        }
    }

    @Test(
        "maps, bytes and nested values; an invalid span id is reported as partial success",
        arguments: ["grpc", "http-protobuf", "http-json"])
    func rawValues(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            let result = try await Python.json(
                client,
                ["raw", "--protocol", transport, "--endpoint", endpoint(api, transport), "--trace-id", traceID.hex])
            #expect(result["rejected"] as? Int == 1)
            #expect((result["message"] as? String)?.contains("invalid span id") == true)
            let spans = try await api.spans!.spans(of: traceID)
            let span = try #require(spans.first)
            #expect(spans.count == 1)
            #expect(span.kind == .producer && span.id.hex == "00000000000000a1")
            #expect(span.attributes["map"] == #"{"k":"v","n":1}"#)
            #expect(span.attributes["blob"] == "AAH+")
            #expect(span.attributes["nested"] == #"[[1,2],{"x":true}]"#)
            #expect(span.attributes["negative"] == "-1.5")
            #expect(span.attributes["zero"] == "0")
            #expect(span.attributes["big"] == "1e+21")
            #expect(span.attributes["empty"] == "")
            #expect(span.endTimeUnixNano - span.startTimeUnixNano == 250_000_000)
        }
    }

    @Test("gzip-compressed requests are accepted", arguments: ["grpc", "http-protobuf", "http-json"])
    func gzip(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            let result = try await Python.json(
                client,
                [
                    "raw", "--protocol", transport, "--endpoint", endpoint(api, transport), "--trace-id", traceID.hex,
                    "--gzip",
                ]
            )
            #expect(result["status"] as? String == "OK" || result["status"] as? Int == 200)
            #expect(try await api.spans!.spans(of: traceID).count == 1)
        }
    }

    @Test(
        "spans of a trace no run knows yet wait in the recent-traces buffer and move to storage when expected",
        arguments: TestBackend.allCases)
    func recentTraces(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let spans = try #require(api.spans)
            let traceID = TraceID.random()
            let repository = SpanRepository(database: api.store.database)
            _ = try await sendWithSDK(api, protocol: "http", traceID: traceID)
            #expect(try await waitForSpans(spans, traceID, count: 3).count == 3)
            #expect(try await repository.spans(of: traceID).isEmpty)

            var arrivals = await spans.arrivals(of: traceID).makeAsyncIterator()
            try await spans.expect(traceID)
            #expect(try await repository.spans(of: traceID).count == 3)
            _ = try await Python.json(
                client, ["raw", "--protocol", "grpc", "--endpoint", endpoint(api, "grpc"), "--trace-id", traceID.hex])
            let arrival = try #require(await arrivals.next())
            #expect(arrival.newSpans == 1 && arrival.totalSpans == 4 && arrival.transport == .grpc)
            #expect(try await repository.spans(of: traceID).count == 4)
        }
    }

    @Test("the receivers listen on a host name (otlpServer.host: localhost)", arguments: ["grpc", "http-protobuf"])
    func hostName(transport: String) async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.otlpServer.host = "localhost"
            try await withRunningServer(configuration) { api in
                let traceID = TraceID.random()
                let port = try #require(transport == "grpc" ? api.otlpGRPCPort : api.otlpHTTPPort)
                let result = try await Python.json(
                    client,
                    [
                        "raw", "--protocol", transport, "--endpoint", "http://localhost:\(port)", "--trace-id",
                        traceID.hex,
                    ])
                #expect(succeeded(result), "\(result)")
                #expect(try await api.spans!.spans(of: traceID).count == 1)
            }
        }
    }

    @Test("with otlpServer.enabled: false nothing listens on the OTLP ports")
    func disabled() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.otlpServer.enabled = false
            configuration.otlpServer.grpcPort = try unusedPort()
            configuration.otlpServer.httpPort = try unusedPort()
            try await withRunningServer(configuration) { api async throws in
                #expect(api.otlpGRPCPort == nil && api.otlpHTTPPort == nil)
                #expect(try await api.get("/health").status == 200)
                #expect(connectionRefused(configuration.otlpServer.grpcPort), "gRPC port")
                #expect(connectionRefused(configuration.otlpServer.httpPort), "HTTP port")
            }
        }
    }

    @Test("the OTLP connection check counts received spans until reset")
    func connectionCheck() async throws {
        try await withTestServer(.sqlite) { api in
            let empty = try await api.get("/api/config/connection/otlp").object()
            #expect(empty["spanCount"] as? Int == 0)
            #expect(empty["lastSpanTimestamp"] as? String == "0001-01-01T00:00:00Z")
            _ = try await sendWithSDK(api, protocol: "grpc", traceID: .random())
            var counted = try await api.get("/api/config/connection/otlp").object()
            for _ in 0..<100 where counted["spanCount"] as? Int != 3 {
                try await Task.sleep(for: .milliseconds(20))
                counted = try await api.get("/api/config/connection/otlp").object()
            }
            #expect(counted["spanCount"] as? Int == 3)
            #expect(Timestamp(rfc3339: counted["lastSpanTimestamp"] as? String ?? "").map { !$0.isZero } == true)
            let reset = try await api.post("/api/config/connection/otlp/reset", "")
            #expect(reset.status == 200 && reset.body == "null\n")
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
        }
    }

    @Test("spans are ignored while the data store is not fed by OTLP")
    func nonOTLPDataStore() async throws {
        try await withTestServer(.sqlite) { api in
            _ = try await api.put(
                "/api/datastores",
                #"{"type":"DataStore","spec":{"name":"J","type":"jaeger","jaeger":{"endpoint":"jaeger:16685"}}}"#)
            let traceID = TraceID.random()
            let result = try await Python.json(
                client,
                ["raw", "--protocol", "http-protobuf", "--endpoint", endpoint(api, "http"), "--trace-id", traceID.hex])
            #expect(result["status"] as? Int == 200)
            #expect(try await api.spans!.spans(of: traceID).isEmpty)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 1)
        }
    }
}

/// Whether a TCP connection to `port` on 127.0.0.1 is refused (nothing listens there).
func connectionRefused(_ port: Int) -> Bool {
    guard let fd = try? tcpSocket() else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return result != 0 && errno == ECONNREFUSED
}
