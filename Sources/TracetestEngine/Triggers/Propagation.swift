import TracetestModel

/// The headers that carry the run's trace context into the system under test, in every format Tracetest sends:
/// W3C (`traceparent`, sampled, with `tracestate: tracetest=true`), B3 single header, Jaeger, OpenTracing and AWS
/// X-Ray. The trigger span id is the parent the application's first span will name.
enum Propagation {
    static func headers(traceID: TraceID, spanID: SpanID) -> [KeyValue] {
        let trace = traceID.hex
        let span = spanID.hex
        return [
            KeyValue(key: "traceparent", value: "00-\(trace)-\(span)-01"),
            KeyValue(key: "tracestate", value: "tracetest=true"),
            KeyValue(key: "b3", value: "\(trace)-\(span)-1"),
            KeyValue(key: "uber-trace-id", value: "\(trace):\(span):0:1"),
            KeyValue(key: "ot-tracer-traceid", value: String(trace.suffix(16))),
            KeyValue(key: "ot-tracer-spanid", value: span),
            KeyValue(key: "ot-tracer-sampled", value: "true"),
            KeyValue(
                key: "X-Amzn-Trace-Id",
                value: "Root=1-\(trace.prefix(8))-\(trace.dropFirst(8));Parent=\(span);Sampled=1"),
        ]
    }
}
