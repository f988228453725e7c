/// The tracer of the server's own spans (`server.telemetry.exporter`). When that exporter is not configured it is
/// ``disabled``: bodies run directly and nothing is recorded.
package struct InternalTracer: Sendable {
    let recorder: SpanRecorder?

    init(_ recorder: SpanRecorder?) {
        self.recorder = recorder
    }

    /// Records nothing.
    package static let disabled = InternalTracer(nil)

    /// Whether spans are recorded and exported.
    package var isEnabled: Bool { recorder != nil }

    /// Runs `body` in a new span named `name`, a child of `parent` (by default the span active in this task). The
    /// span ends when `body` returns; an error thrown by `body` is recorded on it (status ERROR) and rethrown.
    package func withSpan<T>(
        _ name: String,
        kind: TelemetrySpanKind = .internal,
        parent: TelemetryContext? = nil,
        attributes: [String: TelemetryAttributeValue] = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TelemetrySpan) async throws -> T
    ) async rethrows -> T {
        guard let span = recorder?.start(name, kind: kind, parent: (parent ?? .current).value) else {
            return try await body(.none)
        }
        let handle = TelemetrySpan(span)
        if !attributes.isEmpty { handle.setAttributes(attributes) }
        defer { span.end() }
        do {
            return try await SpanContext.$current.withValue(span.context) { try await body(handle) }
        } catch {
            handle.recordError(error)
            throw error
        }
    }

    /// Like ``withSpan(_:kind:parent:attributes:isolation:_:)``, but only when a span started by this server is
    /// active in the task and recording; otherwise `body` runs without a span. Database spans use it, so the
    /// database never starts traces of its own.
    package func withChildSpan<T>(
        _ name: String,
        kind: TelemetrySpanKind = .internal,
        attributes: [String: TelemetryAttributeValue] = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (TelemetrySpan) async throws -> T
    ) async rethrows -> T {
        guard hasActiveSpan else { return try await body(.none) }
        return try await withSpan(name, kind: kind, attributes: attributes, body)
    }

    /// Starts a span that the caller ends with ``TelemetrySpan/end()``. It does not become the task's current span:
    /// use ``TelemetryContext/withCurrent(isolation:_:)`` with its ``TelemetrySpan/context`` to parent work under it.
    package func startSpan(
        _ name: String,
        kind: TelemetrySpanKind = .internal,
        parent: TelemetryContext? = nil,
        attributes: [String: TelemetryAttributeValue] = [:]
    ) -> TelemetrySpan {
        let handle = TelemetrySpan(recorder?.start(name, kind: kind, parent: (parent ?? .current).value))
        if !attributes.isEmpty { handle.setAttributes(attributes) }
        return handle
    }

    /// Whether a span started in this process is active in the task and recording (a span continued from an incoming
    /// `traceparent` alone is not).
    package var hasActiveSpan: Bool {
        recorder != nil && SpanContext.current?.isLocalRecording == true
    }

    /// The context carried by W3C trace-context headers (`traceparent`, `tracestate`), to parent a span on the
    /// caller's; a missing or malformed `traceparent` gives ``TelemetryContext/root``.
    package func extractContext(traceparent: String?, tracestate: String?) -> TelemetryContext {
        guard recorder != nil, let traceparent else { return .root }
        return TelemetryContext(SpanContext(traceparent: traceparent, tracestate: tracestate))
    }
}
