import Foundation
import TestSupport
import Testing
import TracetestIngest
import TracetestModel

/// Sends `body` as it is and returns what the receiver answered.
func sendBytes(_ api: TestAPI, _ transport: String, _ body: Data, gzip: Bool = false) async throws -> [String: Any] {
    try await withTemporaryDirectory { directory in
        let file = directory + "/body.bin"
        try body.write(to: URL(fileURLWithPath: file))
        var arguments = ["bytes", "--protocol", transport, "--endpoint", endpoint(api, transport), "--body-file", file]
        if gzip { arguments.append("--gzip") }
        return try await Python.json(client, arguments)
    }
}

/// A valid export request with one span of `traceID`, as protobuf bytes (from the Python client's raw mode).
func validRequestBytes(_ traceID: TraceID) -> Data {
    // ExportTraceServiceRequest { resource_spans { scope_spans { spans { trace_id, span_id, name } } } }
    var span = Data([0x0A, 16]) + Data(traceID.bytes) + Data([0x12, 8]) + Data(SpanID(0xB1).bytes)
    span += Data([0x2A, 4]) + Data("ping".utf8)
    let spans = Data([0x12, UInt8(span.count)]) + span
    let scope = Data([0x12, UInt8(spans.count)]) + spans
    return Data([0x0A, UInt8(scope.count)]) + scope
}

@Suite("OTLP receiver: bad input")
struct OTLPBadInputTests {
    @Test(
        "a truncated protobuf is rejected and nothing is stored; the receiver keeps serving",
        arguments: ["grpc", "http-protobuf"])
    func truncated(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            let bytes = validRequestBytes(traceID)
            let answer = try await sendBytes(api, transport, bytes.prefix(bytes.count - 5))
            if transport == "grpc" {
                #expect(answer["status"] as? String == "INVALID_ARGUMENT")
            } else {
                #expect(answer["status"] as? Int == 400)
                #expect(answer["code"] as? Int == 3)
                #expect((answer["message"] as? String)?.contains("cannot decode") == true)
            }
            #expect(try await api.spans!.spans(of: traceID).isEmpty)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)

            let valid = try await sendBytes(api, transport, bytes)
            #expect(valid["status"] as? String == "OK" || valid["status"] as? Int == 200)
            #expect(try await api.spans!.spans(of: traceID).count == 1)
        }
    }

    @Test("JSON with wrong types or bad ids is a 400 with a JSON google.rpc.Status")
    func badJSON() async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random().hex
            let bodies = [
                #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\#(traceID)","spanId":"00000000000000b1","name":5}]}]}]}"#,
                #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz","spanId":"00000000000000b1"}]}]}]}"#,
                #"{"resourceSpans": "#,
            ]
            for body in bodies {
                let answer = try await sendBytes(api, "http-json", Data(body.utf8))
                #expect(answer["status"] as? Int == 400, "\(body)")
                #expect(answer["code"] as? Int == 3)
                #expect((answer["message"] as? String)?.isEmpty == false)
            }
            let badID = try await sendBytes(api, "http-json", Data(bodies[1].utf8))
            #expect((badID["message"] as? String)?.contains("traceId") == true)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
        }
    }

    @Test("an unsupported content type is 415; an empty body is a valid empty request")
    func contentTypeAndEmpty() async throws {
        try await withTestServer(.sqlite) { api in
            let port = try #require(api.otlpHTTPPort)
            let receiver = TestAPI(port: port)
            let wrongType = try await receiver.post("/v1/traces", "hello", headers: ["Content-Type": "text/plain"])
            #expect(wrongType.status == 415)
            #expect(wrongType.body.contains("unsupported Content-Type"))
            let empty = try await receiver.send(
                .POST, "/v1/traces", headers: ["Content-Type": "application/x-protobuf"])
            #expect(empty.status == 200)
            let emptyJSON = try await receiver.send(
                .POST, "/v1/traces", body: "{}", headers: ["Content-Type": "application/json"])
            #expect(emptyJSON.status == 200)
            #expect(emptyJSON.header("Content-Type") == "application/json")
        }
    }

    @Test("a body over 64 MiB is refused (413 / RESOURCE_EXHAUSTED)", arguments: ["grpc", "http-protobuf"])
    func oversized(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let body = Data(repeating: 0x0A, count: 65 * 1024 * 1024)
            let answer = try await sendBytes(api, transport, body)
            if transport == "grpc" {
                #expect(answer["status"] as? String == "RESOURCE_EXHAUSTED")
            } else {
                #expect(answer["status"] as? Int == 413)
                #expect(answer["code"] as? Int == 8)
            }
            let traceID = TraceID.random()
            _ = try await sendBytes(api, transport, validRequestBytes(traceID))
            #expect(try await api.spans!.spans(of: traceID).count == 1)
        }
    }

    @Test("a gzip bomb is refused once it inflates past the limit")
    func gzipBomb() async throws {
        try await withTestServer(.sqlite) { api in
            let answer = try await sendBytes(api, "http-protobuf", Data(count: 80 * 1024 * 1024), gzip: true)
            #expect(answer["status"] as? Int == 413)
            #expect((answer["message"] as? String)?.contains("maxMessageBytes") == true)
            #expect(try await api.get("/health").status == 200)
        }
    }
}
