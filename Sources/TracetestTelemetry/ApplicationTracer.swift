import TracetestModel

/// The tracer of the `Tracetest trigger` span (`server.telemetry.applicationExporter`): the span the run engine
/// places in the run's trace just before triggering, so the application's first span becomes its child.
///
/// When no application exporter is configured the span still gets a fresh span id (the application receives it
/// as its parent) but nothing is exported.
package struct ApplicationTracer: Sendable {
    let recorder: SpanRecorder?

    init(_ recorder: SpanRecorder?) {
        self.recorder = recorder
    }

    /// Exports nothing; trigger spans still get ids.
    package static let disabled = ApplicationTracer(nil)

    /// Whether trigger spans are exported.
    package var isEnabled: Bool { recorder != nil }

    /// The `tracestate` of test traffic, which collectors can route or keep on.
    package static let traceState = "tracetest=true"

    /// Starts the `Tracetest trigger` span in trace `traceID` (kind INTERNAL, no attributes, tracestate
    /// `tracetest=true`). End it with ``TriggerSpan/end()`` once the trigger returned.
    ///
    /// The span's parent span id is a random id that exists nowhere in the trace, as with Tracetest (whose tracing
    /// library continues a trace only from a propagated parent); trace assembly treats such a span as the root.
    package func startTriggerSpan(traceID: TraceID) -> TriggerSpan {
        guard let recorder else {
            return TriggerSpan(traceID: traceID, spanID: .random(), isSampled: true, span: nil)
        }
        let parent = SpanContext(
            traceID: traceID, spanID: .random(), isSampled: true, traceState: Self.traceState, isLocalRecording: false)
        guard let span = recorder.start(SpanName.tracetestTrigger, kind: .internal, parent: parent) else {
            return TriggerSpan(traceID: traceID, spanID: .random(), isSampled: false, span: nil)
        }
        return TriggerSpan(traceID: traceID, spanID: span.context.spanID, isSampled: true, span: span)
    }

    /// Runs `body` inside a `Tracetest trigger` span of trace `traceID`, ending it when `body` returns or throws.
    package func withTriggerSpan<T>(
        traceID: TraceID,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TriggerSpan) async throws -> T
    ) async rethrows -> T {
        let span = startTriggerSpan(traceID: traceID)
        defer { span.end() }
        return try await body(span)
    }
}

/// The `Tracetest trigger` span of one run: the ids to propagate to the application under test.
package struct TriggerSpan: Sendable {
    package let traceID: TraceID
    /// The span id the application's first span takes as its parent; stored as the run's `spanId`.
    package let spanID: SpanID
    /// The application tracer's sampling decision (HTTP triggers propagate `sampled` regardless).
    package let isSampled: Bool
    let span: RecordingSpan?

    /// `tracetest=true`.
    package var traceState: String { ApplicationTracer.traceState }

    /// The W3C `traceparent` of this span, with the sampled flag given (HTTP triggers force it on).
    package func traceparent(sampled: Bool) -> String {
        SpanContext(traceID: traceID, spanID: spanID, isSampled: sampled, traceState: "", isLocalRecording: false)
            .traceparent
    }

    /// Ends the span; later calls do nothing.
    package func end() {
        span?.end()
    }
}
