import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Trigger root")
struct TriggerRootTests {
    let triggerSpan = SpanID(hex: "00000000000000aa")!

    func run(http: Bool) -> TestRun {
        var run = TestRun(
            id: 1, testID: "t", testVersion: 1, traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!,
            spanID: triggerSpan)
        run.serviceTriggeredAt = Timestamp(microsecondsSinceEpoch: 1_000)
        run.serviceTriggerCompletedAt = Timestamp(microsecondsSinceEpoch: 2_000)
        if http {
            run.triggerResult = TriggerResult(
                type: "http",
                http: .init(status: "200 OK", statusCode: 200, headers: [KeyValue(key: "A", value: "b")], body: "{}"))
        }
        return run
    }

    @Test("without an exported trigger span, one is made from the run's trigger times; every root hangs under it")
    func madeRoot() throws {
        let app = Span(
            id: SpanID(hex: "0000000000000001")!, parentID: triggerSpan, name: "GET /a", startTimeUnixNano: 5)
        let orphan = Span(
            id: SpanID(hex: "0000000000000002")!, parentID: SpanID(hex: "00000000000000ff")!, name: "lost",
            startTimeUnixNano: 6)
        let trace = TriggerRoot.trace(for: run(http: true), spans: [app, orphan])
        let root = try #require(trace.spans.first { $0.parentID == nil })
        #expect(root.id == triggerSpan)
        #expect(root.name == "Tracetest trigger")
        #expect(root.startTimeUnixNano == 1_000_000)
        #expect(root.endTimeUnixNano == 2_000_000)
        #expect(root.attributes["tracetest.response.status"] == "200")
        #expect(root.attributes["tracetest.response.body"] == "{}")
        #expect(root.attributes["tracetest.response.headers"] == #"[{"key":"A","value":"b"}]"#)
        #expect(trace.spans.filter { $0.id != triggerSpan }.allSatisfy { $0.parentID == triggerSpan })
    }

    @Test("the exported trigger span is the root when it arrived")
    func exportedRoot() throws {
        let exported = Span(
            id: triggerSpan, parentID: SpanID(hex: "00000000000000ee")!, name: "Tracetest trigger",
            startTimeUnixNano: 7, endTimeUnixNano: 9)
        let app = Span(
            id: SpanID(hex: "0000000000000001")!, parentID: triggerSpan, name: "GET /a", startTimeUnixNano: 8)
        let trace = TriggerRoot.trace(for: run(http: false), spans: [exported, app])
        #expect(trace.spans.count == 2)
        let root = try #require(trace.spans.first { $0.parentID == nil })
        #expect(root.startTimeUnixNano == 7)
        #expect(root.attributes["tracetest.response.status"] == nil)
    }
}
