// Evaluates 20 typical test specs on generated traces of 1k, 10k and 100k spans; prints the time of each phase and
// the peak resident memory. Run in release: swift run -c release LanguageBenchmark
// (BENCH_DETAIL=1 also prints each spec's time, one core, at each size).
//
// assemble: Trace(traceID:spans:) from unordered spans (model). evaluate(first): all 20 specs with
// CompiledSpec.evaluate(_:on:variables:) on a fresh TraceIndex (so including its lazily built value index);
// evaluate(again): the same on the warm index; one core: the 20 specs one after the other.
import Foundation
import TracetestLanguage
import TracetestModel

// The 20 specs: name and attribute filters, descendant selectors, pseudo-classes, json_path, durations.
let specs: [(selector: String, assertions: [String])] = [
    (#"span[tracetest.span.type="http"]"#, ["attr:http.status_code = 200", "attr:tracetest.span.duration < 500ms"]),
    (#"span[name="POST /checkout"]"#, ["attr:tracetest.selected_spans.count >= 1"]),
    (#"span[service.name="cart" tracetest.span.type="database"]"#, [#"attr:db.system = "postgres""#]),
    (#"span[tracetest.span.type="database"]"#, ["attr:tracetest.span.duration <= 100ms"]),
    (
        #"span[name="Tracetest trigger"]"#,
        ["attr:tracetest.response.status = 201", "attr:tracetest.response.body | json_path '$.id' = 42"]
    ),
    (#"span[service.name="api"] span[tracetest.span.type="database"]"#, [#"attr:db.statement contains "FROM""#]),
    (#"span[tracetest.span.type="http"]:first"#, [#"attr:http.method = "POST""#]),
    (#"span[tracetest.span.type="database"]:last"#, [#"attr:db.system != """#]),
    (#"span[tracetest.span.type="rpc"]:nth_child(3)"#, [#"attr:rpc.system = "grpc""#]),
    (#"span[name contains "GET"]"#, [#"attr:http.method = "GET""#]),
    ("span[http.status_code=500]", ["attr:tracetest.selected_spans.count = 0"]),
    (#"span[service.name="api"], span[service.name="payments"]"#, ["attr:tracetest.span.duration > 0ns"]),
    (
        #"span[messaging.system="kafka"]"#,
        [#"attr:messaging.payload | json_path '$.order.items[*].sku' contains "sku-1""#]
    ),
    ("", ["attr:tracetest.span.duration < 10s"]),
    (#"span[name="POST /checkout"] span[name="charge card"] span[]"#, ["attr:tracetest.span.duration < 1s"]),
    (#"span[tracetest.span.status_code="STATUS_CODE_ERROR"]"#, ["attr:tracetest.selected_spans.count = 0"]),
    (#"span[service.name="payments"]:first"#, ["attr:tracetest.span.duration < 1s + 500ms"]),
    (#"span[kind="client"]"#, [#"attr:peer.service != """#]),
    (
        #"span[tracetest.span.type="http" service.name="api" name="POST /checkout"]"#,
        [#"attr:http.route = "/api/${var:VERSION}/checkout""#]
    ),
    (
        #"span[name="charge card"]"#,
        ["attr:payment.amount * 100 > 1000", #"attr:payment.response | json_path '$.status' = "approved""#]
    ),
]

// A trigger root, then checkout requests of 10 spans each, then heartbeats up to `count` spans.
func makeSpans(count: Int) -> [Span] {
    var spans = [
        Span(
            id: SpanID(1), name: "Tracetest trigger", kind: .internal, startTimeUnixNano: 1_000,
            endTimeUnixNano: 900_000_000,
            attributes: ["tracetest.response.status": "201", "tracetest.response.body": #"{"id": 42, "ok": true}"#])
    ]
    var request = 0
    func add(_ name: String, parent: Int, kind: SpanKind, _ attributes: [String: String]) -> Int {
        let start = Int64(request) * 1_000 + Int64(spans.count)
        spans.append(
            Span(
                id: SpanID(UInt64(spans.count + 1)), parentID: SpanID(UInt64(parent)), name: name, kind: kind,
                startTimeUnixNano: start, endTimeUnixNano: start + 1_000_000 + Int64(spans.count % 97) * 1_000_003,
                attributes: attributes, status: SpanStatus(code: "STATUS_CODE_OK")))
        return spans.count
    }
    while spans.count + 10 <= count {
        request += 1
        let checkout = add(
            "POST /checkout", parent: 1, kind: .server,
            [
                "service.name": "api", "http.method": "POST", "http.status_code": "200",
                "http.route": "/api/v1/checkout",
            ])
        let cart = add(
            "GET /cart", parent: checkout, kind: .client,
            [
                "service.name": "api", "http.method": "GET", "http.status_code": "200", "peer.service": "cart",
            ])
        _ = add(
            "SELECT cart", parent: cart, kind: .client,
            [
                "service.name": "cart", "db.system": "postgres", "db.statement": "SELECT * FROM cart WHERE id = $1",
                "peer.service": "postgres",
            ])
        let charge = add(
            "charge card", parent: checkout, kind: .client,
            [
                "service.name": "payments", "rpc.system": "grpc", "payment.amount": "\(request % 50 + 11).5",
                "payment.response": #"{"status": "approved", "code": \#(request)}"#, "peer.service": "payments",
            ])
        _ = add(
            "INSERT payment", parent: charge, kind: .client,
            [
                "service.name": "payments", "db.system": "postgres", "peer.service": "postgres",
                "db.statement": "INSERT INTO payments SELECT * FROM pending",
            ])
        _ = add(
            "fraud check", parent: charge, kind: .internal, ["service.name": "payments", "rpc.system": "grpc"])
        let payload = #"{"order": {"id": \#(request), "items": [{"sku": "sku-1"}, {"sku": "sku-2"}]}}"#
        let publish = add(
            "publish order", parent: checkout, kind: .producer,
            ["service.name": "api", "messaging.system": "kafka", "messaging.payload": payload])
        _ = add(
            "consume order", parent: publish, kind: .consumer,
            ["service.name": "stock", "messaging.system": "kafka", "messaging.payload": payload])
        _ = add(
            "UPDATE stock", parent: checkout, kind: .client,
            [
                "service.name": "stock", "db.system": "postgres", "peer.service": "postgres",
                "db.statement": "UPDATE stock SET n = n - 1 FROM orders",
            ])
        _ = add("render receipt", parent: checkout, kind: .internal, ["service.name": "api"])
    }
    while spans.count < count { _ = add("heartbeat", parent: 1, kind: .internal, ["service.name": "api"]) }
    return spans
}

func peakResidentMiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}

func milliseconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    return String(format: "%8.1f", value)
}

let compiled = specs.map { CompiledSpec(selector: $0.selector, assertions: $0.assertions) }
let variables = ["VERSION": "v1"]
let clock = ContinuousClock()
print("spans     assemble  evaluate(first)  evaluate(again)  one core  results  passed  peak RSS")
for size in [1_000, 10_000, 100_000] {
    let input = makeSpans(count: size)
    var trace: Trace!
    let assembly = clock.measure { trace = Trace(traceID: TraceID(high: 7, low: 7), spans: input, now: 2_000_000_000) }
    var results: [SpecResult] = []
    var index: TraceIndex!
    let first = clock.measure {
        index = TraceIndex(trace)
        results = CompiledSpec.evaluate(compiled, on: index, variables: variables)
    }
    let again = clock.measure { results = CompiledSpec.evaluate(compiled, on: index, variables: variables) }
    let sequential = clock.measure { results = compiled.map { $0.evaluate(on: index, variables: variables) } }
    let spanResults = results.flatMap(\.assertions).map(\.spanResults.count).reduce(0, +)
    let passed = results.filter(\.allPassed).count
    if ProcessInfo.processInfo.environment["BENCH_DETAIL"] != nil {
        for spec in compiled {
            let took = clock.measure { _ = spec.evaluate(on: index, variables: variables) }
            let result = spec.evaluate(on: index, variables: variables)
            print(
                milliseconds(took), result.allPassed, spec.selectorText,
                result.assertions.first?.spanResults.first { !$0.passed }?.error?.message ?? "")
        }
    }
    print(
        String(format: "%-8d", trace.count), milliseconds(assembly), "ms", milliseconds(first), "ms       ",
        milliseconds(again), "ms", milliseconds(sequential), "ms", String(format: "%7d", spanResults),
        String(format: "%4d/20", passed),
        String(format: "%6d MiB", peakResidentMiB()))
}
