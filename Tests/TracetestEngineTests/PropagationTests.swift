import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Trace context propagation into triggers")
struct PropagationTests {
    let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    let spanID = SpanID(hex: "00f067aa0ba902b7")!

    @Test("every format carries the run's trace id and the trigger span id, sampled")
    func everyFormat() {
        let headers = Dictionary(
            uniqueKeysWithValues: Propagation.headers(traceID: traceID, spanID: spanID).map {
                ($0.key, $0.value)
            })
        #expect(headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(headers["tracestate"] == "tracetest=true")
        #expect(headers["b3"] == "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")
        #expect(headers["uber-trace-id"] == "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1")
        #expect(headers["ot-tracer-traceid"] == "a3ce929d0e0e4736")
        #expect(headers["ot-tracer-spanid"] == "00f067aa0ba902b7")
        #expect(headers["ot-tracer-sampled"] == "true")
        #expect(
            headers["X-Amzn-Trace-Id"] == "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1")
        #expect(headers.count == 8)
    }
}
