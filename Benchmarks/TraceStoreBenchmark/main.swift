// Measures fetching and converting a 100k-span trace from Jaeger (gRPC stream), Tempo over gRPC and Tempo over HTTP
// (protobuf and JSON), each from the stand-in the tests use (Tests/ServerTestSupport), on loopback, five times each.
//
//   swift run -c release TraceStoreBenchmark [spans]     (default 100000)
//
// The trace is built before timing starts; a figure is the wall time of `TraceSource.trace(_:)`: the call, the
// answer's decoding and the conversion to Tracetest spans. Figures go to docs/BENCHMARKS.md.
import Foundation
import Hummingbird
import NIOCore
import ServerTestSupport
import TracetestModel
import TracetestOTLP
import TracetestTraceSources

let spanCount = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
let traceID = TraceID.random()
var resourceSpans = SampleTrace.resourceSpans(traceID, extra: spanCount - 3)
// Ten attributes per span, like an instrumented HTTP service.
for index in resourceSpans[0].scopeSpans[0].spans.indices {
    for (key, value) in [
        ("http.method", "GET"), ("http.route", "/pokemon/:id"), ("http.status_code", "200"),
        ("net.peer.name", "pokeshop"), ("net.peer.port", "8080"), ("user_agent.original", "bench"),
        ("db.system", "postgresql"), ("db.name", "pokeshop"), ("thread.id", "\(index % 16)"),
        ("component", "api"),
    ] {
        var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
        attribute.key = key
        attribute.value.stringValue = value
        resourceSpans[0].scopeSpans[0].spans[index].attributes.append(attribute)
    }
}
// Stores answer in batches of resource spans: split the spans into 1,000 of them.
let spans = resourceSpans[0].scopeSpans[0].spans
let batched: [OTLPResourceSpans] = stride(from: 0, to: spans.count, by: max(1, spans.count / 1000)).map { start in
    var batch = resourceSpans[0]
    batch.scopeSpans[0].spans = Array(spans[start..<min(start + max(1, spans.count / 1000), spans.count)])
    return batch
}

func measure(_ label: String, _ store: DataStore) async throws {
    let source = try TraceSources().source(for: store)!
    var times: [Double] = []
    for _ in 0..<5 {
        let started = ContinuousClock.now
        let fetched = try await source.trace(traceID)
        let elapsed = ContinuousClock.now - started
        precondition(fetched.count == spanCount, "\(label): \(fetched.count) spans")
        times.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
    }
    let formatted = times.map { String(format: "%.2f", $0) }.joined(separator: " / ")
    print("\(label): \(spanCount) spans in \(formatted) s (best \(String(format: "%.2f", times.min()!)) s)")
}

let standIn = GRPCTraceStoreStandIn()
standIn.store(batched)
try await withGRPCStandIn(standIn) { port in
    let grpc = GRPCClientSettings(endpoint: "127.0.0.1:\(port)", tls: TLSSettings(insecure: true))
    try await measure("Jaeger (gRPC stream)", DataStore(name: "J", type: "jaeger", jaeger: grpc))
    try await measure(
        "Tempo (gRPC)", DataStore(name: "T", type: "tempo", tempo: TempoSettings(type: "grpc", grpc: grpc)))
}

var trace = Opentelemetry_Proto_Trace_V1_TracesData()
trace.resourceSpans = batched
let protobuf: [UInt8] = try trace.serializedBytes()
let json = "{\"batches\":\(JSONParser.parse(try trace.jsonString())?["resourceSpans"]?.jsonText ?? "[]")}"
for (label, contentType, body) in [
    ("Tempo (HTTP, protobuf)", "application/protobuf", ByteBuffer(bytes: protobuf)),
    ("Tempo (HTTP, JSON)", "application/json", ByteBuffer(string: json)),
] {
    let router = Router()
    router.get("api/traces/:id") { _, _ in
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: body))
    }
    try await withHTTPStandIn(router) { port in
        let settings = TempoSettings(type: "http", http: HTTPClientSettings(url: "http://127.0.0.1:\(port)"))
        try await measure(label, DataStore(name: "T", type: "tempo", tempo: settings))
    }
}
