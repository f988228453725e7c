import TracetestModel

/// Roots the final trace of a run at a span named `Tracetest trigger` (engine-telemetry.md §2.6): the real one when
/// the application tracer exported it, else one made from the run's trigger times with the trigger span id the
/// application saw as its parent. Every other root hangs under it. The root carries `service.name = tracetest`
/// and, for HTTP, GraphQL and gRPC triggers, the response status, body and headers (gRPC: its status code and
/// response metadata).
enum TriggerRoot {
    static func trace(for run: TestRun, spans: [Span], now: Int64 = Trace.nowUnixNano()) -> Trace {
        var spans = spans
        var rootIndex = spans.firstIndex {
            $0.name == TracetestAttributes.triggerSpanName && ($0.id == run.spanID || $0.parentID == nil)
        }
        if rootIndex == nil {
            var trigger = Span(
                id: run.spanID, name: TracetestAttributes.triggerSpanName, kind: .internal,
                startTimeUnixNano: nanoseconds(run.serviceTriggeredAt),
                endTimeUnixNano: nanoseconds(
                    run.serviceTriggerCompletedAt.isZero ? run.serviceTriggeredAt : run.serviceTriggerCompletedAt))
            Trace.injectMetadata(into: &trigger, now: now)
            spans.append(trigger)
            rootIndex = spans.count - 1
        }
        guard let rootIndex else { return Trace(traceID: run.traceID, spans: spans, now: now) }
        let root = spans[rootIndex].id
        let ids = Set(spans.map(\.id))
        for index in spans.indices where index != rootIndex {
            if let parent = spans[index].parentID, ids.contains(parent) { continue }
            spans[index].parentID = root
            spans[index].attributes[TracetestAttributes.parentID] = root.hex
        }
        spans[rootIndex].parentID = nil
        spans[rootIndex].attributes[TracetestAttributes.parentID] = SpanID.zero.hex
        augment(&spans[rootIndex], with: run.triggerResult)
        return Trace(traceID: run.traceID, spans: spans, now: now)
    }

    private static func augment(_ root: inout Span, with result: TriggerResult?) {
        root.attributes["service.name"] = "tracetest"
        let response: (status: Int, headers: [KeyValue], body: String)? =
            if let http = result?.http ?? result?.graphql {
                (http.statusCode, http.headers, http.body)
            } else if let grpc = result?.grpc {
                (grpc.statusCode, grpc.metadata, grpc.body)
            } else {
                nil
            }
        guard let response else { return }
        root.attributes[TracetestAttributes.responseStatus] = String(response.status)
        root.attributes[TracetestAttributes.responseBody] = response.body
        root.attributes[TracetestAttributes.responseHeaders] =
            WireValue.array(response.headers.map { .object(["key": .string($0.key), "value": .string($0.value)]) })
            .jsonText
    }

    private static func nanoseconds(_ timestamp: Timestamp) -> Int64 {
        timestamp.isZero ? 0 : timestamp.microsecondsSinceEpoch * 1_000
    }
}
