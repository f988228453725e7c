// What the language and run benchmarks evaluate: 20 typical specs and a generated checkout trace they select from.
import TracetestModel

/// The 20 specs: name and attribute filters, descendant selectors, pseudo-classes, json_path, durations.
package let benchmarkSpecs: [(selector: String, assertions: [String])] = [
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

/// A trigger root, then checkout requests of 10 spans each, then heartbeats up to `count` spans.
package func checkoutSpans(count: Int) -> [Span] {
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
