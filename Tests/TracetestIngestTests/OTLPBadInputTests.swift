import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestIngest
import TracetestModel
import TracetestStorage

/// Sends `body` as it is and returns what the receiver answered.
func sendBytes(
    _ api: TestAPI, _ transport: String, _ body: Data, gzip: Bool = false, authorization: String? = nil
) async throws -> [String: Any] {
    try await withTemporaryDirectory { directory in
        let file = directory + "/body.bin"
        try body.write(to: URL(fileURLWithPath: file))
        var arguments = ["bytes", "--protocol", transport, "--endpoint", endpoint(api, transport), "--body-file", file]
        if gzip { arguments.append("--gzip") }
        if let authorization { arguments += ["--authorization", authorization] }
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

/// Runs `body` against a server on SQLite whose receivers accept at most `maxMessageBytes` per request.
func withTestServer<R>(maxMessageBytes: Int, _ body: (TestAPI) async throws -> R) async throws -> R {
    try await withTestConfiguration(.sqlite) { configuration in
        var configuration = configuration
        configuration.otlpServer.maxMessageBytes = maxMessageBytes
        return try await withRunningServer(configuration, body)
    }
}

/// Checks that the receiver still takes a valid request over `transport` after bad input, and stores it.
func expectStillReceiving(_ api: TestAPI, _ transport: String) async throws {
    let traceID = TraceID.random()
    let answer = try await sendBytes(api, transport, try encoded(paddedRequest(traceID, padding: 0), for: transport))
    #expect(succeeded(answer), "\(answer)")
    #expect(try await api.spans!.spans(of: traceID).count == 1, "a valid request after the bad one is stored")
}

/// Checks that nothing of `traceID` reached the store, the database, or the connection check.
func expectNothingStored(_ api: TestAPI, _ traceID: TraceID) async throws {
    #expect(try await api.spans!.spans(of: traceID).isEmpty)
    #expect(try await SpanRepository(database: api.store.database).spans(of: traceID).isEmpty)
    #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
}

@Suite("OTLP receiver: bad input")
struct OTLPBadInputTests {
    @Test(
        "text that is not UTF-8 is kept with each invalid byte written as \\xNN, instead of refusing the batch",
        arguments: ["grpc", "http-protobuf"])
    func invalidUTF8(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            let span = otlpSpan(traceID, 0xB1, name: "QQQQQQQQQ", attributes: [keyValue("raw", .string("PLACEHOLDER"))])
            var bytes: [UInt8] = try exportRequest([scopeSpans("scope", [span])]).serializedBytes()
            // Same lengths, so the protobuf stays well-formed: a stray byte pair, and a sequence cut short.
            bytes.replace(Array("PLACEHOLDER".utf8), with: Array("ab".utf8) + [0xFF, 0xFE] + Array("cdefghi".utf8))
            bytes.replace(Array("QQQQQQQQQ".utf8), with: [0xC3] + Array("12345678".utf8))
            let answer = try await sendBytes(api, transport, Data(bytes))
            #expect(succeeded(answer), "\(answer)")
            let stored = try await api.spans!.spans(of: traceID)
            #expect(stored.first?.attributes["raw"] == #"ab\xFF\xFEcdefghi"#, "\(stored)")
            #expect(stored.first?.name == #"\xC312345678"#, "\(stored)")
        }
    }

    @Test(
        "a truncated protobuf is rejected with the reason and nothing is stored; the receiver keeps serving",
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
            }
            let message = answer["message"] as? String ?? ""
            #expect(message.hasPrefix("cannot decode the request as OTLP protobuf: "), "\(message)")
            #expect(message.contains("truncated"), "the decoder's reason: \(message)")
            #expect(try await api.spans!.spans(of: traceID).isEmpty)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)

            let valid = try await sendBytes(api, transport, bytes)
            #expect(succeeded(valid))
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
            #expect(try await api.spans!.spans(of: TraceID(hex: traceID)!).isEmpty)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
            try await expectStillReceiving(api, "http-json")
        }
    }

    @Test("an unsupported content type or content encoding is 415; an empty body is a valid empty request")
    func contentTypeAndEmpty() async throws {
        try await withTestServer(.sqlite) { api in
            let port = try #require(api.otlpHTTPPort)
            let receiver = TestAPI(port: port)
            let wrongType = try await receiver.post("/v1/traces", "hello", headers: ["Content-Type": "text/plain"])
            #expect(wrongType.status == 415)
            #expect(wrongType.body.contains("unsupported Content-Type"))
            let body = String(
                decoding: try encoded(paddedRequest(.random(), padding: 0), for: "http-json"), as: UTF8.self)
            let wrongEncoding = try await receiver.post(
                "/v1/traces", body, headers: ["Content-Type": "application/json", "Content-Encoding": "br"])
            #expect(wrongEncoding.status == 415)
            #expect(wrongEncoding.header("Content-Type") == "application/json")
            let status = try wrongEncoding.object()
            #expect(status["code"] as? Int == 3)
            #expect((status["message"] as? String)?.contains(#"unsupported Content-Encoding "br""#) == true)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)

            let empty = try await receiver.send(
                .POST, "/v1/traces", headers: ["Content-Type": "application/x-protobuf"])
            #expect(empty.status == 200)
            let emptyJSON = try await receiver.send(
                .POST, "/v1/traces", body: "{}", headers: ["Content-Type": "application/json"])
            #expect(emptyJSON.status == 200)
            #expect(emptyJSON.header("Content-Type") == "application/json")
            try await expectStillReceiving(api, "http-protobuf")
            try await expectStillReceiving(api, "http-json")
        }
    }

    @Test(
        "a body over 64 MiB is refused at the default limit (413 / RESOURCE_EXHAUSTED)",
        arguments: ["grpc", "http-protobuf"])
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
            #expect((answer["message"] as? String)?.contains("maxMessageBytes (67108864") == true)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
            try await expectStillReceiving(api, transport)
        }
    }

    @Test(
        "a valid request over a configured maxMessageBytes is refused and none of its spans is stored",
        arguments: ["grpc", "http-protobuf", "http-json"])
    func overConfiguredLimit(transport: String) async throws {
        try await withTestServer(maxMessageBytes: 1 << 20) { api in
            let traceID = TraceID.random()
            try await api.spans!.expect(traceID)
            let request = paddedRequest(traceID, padding: 3 << 19)
            let answer = try await send(request, api, transport)
            if transport == "grpc" {
                #expect(answer["status"] as? String == "RESOURCE_EXHAUSTED")
            } else {
                #expect(answer["status"] as? Int == 413)
                #expect(answer["code"] as? Int == 8)
            }
            #expect((answer["message"] as? String)?.contains("maxMessageBytes (1048576") == true, "\(answer)")
            try await expectNothingStored(api, traceID)

            if transport == "grpc" {
                // Past twice the limit the transport resets the stream itself, without a status.
                let reset = try await send(paddedRequest(traceID, padding: 3 << 20), api, transport)
                #expect(!succeeded(reset), "\(reset)")
                try await expectNothingStored(api, traceID)
            }
            let small = try await send(paddedRequest(traceID, padding: 1_000), api, transport)
            #expect(succeeded(small))
            #expect(try await SpanRepository(database: api.store.database).spans(of: traceID).count == 1)
        }
    }

    @Test("a gzip bomb is refused once it inflates past the limit", arguments: ["grpc", "http-protobuf"])
    func gzipBomb(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let answer = try await sendBytes(api, transport, Data(count: 80 * 1024 * 1024), gzip: true)
            if transport == "grpc" {
                #expect(answer["status"] as? String == "RESOURCE_EXHAUSTED")
            } else {
                #expect(answer["status"] as? Int == 413)
            }
            #expect((answer["message"] as? String)?.contains("maxMessageBytes") == true)
            #expect(try await api.get("/api/config/connection/otlp").object()["spanCount"] as? Int == 0)
            try await expectStillReceiving(api, transport)
        }
    }
}
