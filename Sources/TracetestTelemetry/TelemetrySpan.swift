/// A value of a span attribute.
package enum TelemetryAttributeValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    case string(String)
    case int(Int64)
    case bool(Bool)
    case double(Double)

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// The kind of a span; `internal` unless the catalogue says otherwise (database spans are `client`).
package enum TelemetrySpanKind: Sendable {
    case `internal`, server, client, producer, consumer
}

/// A span of the server's own telemetry, or nothing when that telemetry is off or the span is not sampled: every
/// method is then a no-op.
package struct TelemetrySpan: Sendable {
    let span: RecordingSpan?

    init(_ span: RecordingSpan?) {
        self.span = span
    }

    /// A span that records nothing.
    package static let none = TelemetrySpan(nil)

    /// Whether anything set on this span is recorded.
    package var isRecording: Bool { span != nil }

    /// The context of this span, to start children of it elsewhere (``InternalTracer/withSpan(_:kind:parent:attributes:isolation:_:)``).
    package var context: TelemetryContext { TelemetryContext(span?.context) }

    package func setAttribute(_ key: String, _ value: String) {
        span?.update { $0.attributes[key] = .string(value) }
    }

    package func setAttribute(_ key: String, _ value: Int) {
        span?.update { $0.attributes[key] = .int(Int64(value)) }
    }

    package func setAttribute(_ key: String, _ value: Bool) {
        span?.update { $0.attributes[key] = .bool(value) }
    }

    package func setAttribute(_ key: String, _ value: Double) {
        span?.update { $0.attributes[key] = .double(value) }
    }

    package func setAttributes(_ attributes: [String: TelemetryAttributeValue]) {
        span?.update { $0.attributes.merge(attributes) { _, new in new } }
    }

    /// Records `error` as an `exception` event (`exception.type`, `exception.message`) and sets the status to ERROR
    /// with its description.
    package func recordError(_ error: any Error) {
        let message = String(describing: error)
        let event = FinishedSpan.Event(
            name: "exception", time: nanosecondsSinceEpoch(),
            attributes: [
                "exception.type": .string(String(reflecting: type(of: error))), "exception.message": .string(message),
            ])
        span?.update { span in
            span.events.append(event)
            span.errorMessage = message
        }
    }

    /// Sets the status to ERROR with `message`, without an exception event.
    package func setError(message: String) {
        span?.update { $0.errorMessage = message }
    }

    /// Adds an event named `name`.
    package func addEvent(_ name: String, attributes: [String: TelemetryAttributeValue] = [:]) {
        guard let span else { return }
        let event = FinishedSpan.Event(name: name, time: nanosecondsSinceEpoch(), attributes: attributes)
        span.update { $0.events.append(event) }
    }

    /// Ends the span; only for spans from ``InternalTracer/startSpan(_:kind:parent:attributes:)``.
    package func end() {
        span?.end()
    }
}

/// Where new spans attach: the span active in a task, captured to parent work done later elsewhere (a job runs
/// as a child of the span that was active when it was enqueued).
package struct TelemetryContext: Sendable {
    let value: SpanContext?

    init(_ value: SpanContext?) {
        self.value = value
    }

    /// The context of the calling task.
    package static var current: TelemetryContext { TelemetryContext(SpanContext.current) }

    /// No parent: spans started here begin new traces.
    package static let root = TelemetryContext(nil)

    /// Runs `body` with this context as the task's current one, so spans started inside are its children.
    package func withCurrent<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> T {
        try await SpanContext.$current.withValue(value, operation: body)
    }
}
