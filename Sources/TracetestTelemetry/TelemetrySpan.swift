import Tracing

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

    var spanAttribute: SpanAttribute {
        switch self {
        case .string(let value): .string(value)
        case .int(let value): .int64(value)
        case .bool(let value): .bool(value)
        case .double(let value): .double(value)
        }
    }
}

/// The kind of a span; `internal` unless the catalogue says otherwise (database spans are `client`).
package enum TelemetrySpanKind: Sendable {
    case `internal`, server, client, producer, consumer

    var spanKind: SpanKind {
        switch self {
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        }
    }
}

/// A span of the server's own telemetry, or nothing when that telemetry is off or the span is not sampled: every
/// method is then a no-op.
package struct TelemetrySpan: Sendable {
    let span: (any Tracing.Span)?

    init(_ span: (any Tracing.Span)?) {
        self.span = span
    }

    /// A span that records nothing.
    package static let none = TelemetrySpan(nil)

    /// Whether anything set on this span is recorded.
    package var isRecording: Bool { span?.isRecording ?? false }

    /// The context of this span, to start children of it elsewhere (``InternalTracer/withSpan(_:kind:parent:attributes:isolation:_:)``).
    package var context: TelemetryContext { TelemetryContext(span?.context) }

    package func setAttribute(_ key: String, _ value: String) {
        span?.attributes[key] = value
    }

    package func setAttribute(_ key: String, _ value: Int) {
        span?.attributes[key] = Int64(value)
    }

    package func setAttribute(_ key: String, _ value: Bool) {
        span?.attributes[key] = value
    }

    package func setAttribute(_ key: String, _ value: Double) {
        span?.attributes[key] = value
    }

    package func setAttributes(_ attributes: [String: TelemetryAttributeValue]) {
        guard let span, span.isRecording else { return }
        span.updateAttributes { stored in
            for (key, value) in attributes { stored[key] = value.spanAttribute }
        }
    }

    /// Records `error` as an `exception` event and sets the status to ERROR with its description.
    package func recordError(_ error: any Error) {
        guard let span, span.isRecording else { return }
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
    }

    /// Sets the status to ERROR with `message`, without an exception event.
    package func setError(message: String) {
        span?.setStatus(SpanStatus(code: .error, message: message))
    }

    /// Adds an event named `name`.
    package func addEvent(_ name: String, attributes: [String: TelemetryAttributeValue] = [:]) {
        guard let span, span.isRecording else { return }
        var converted = SpanAttributes()
        for (key, value) in attributes { converted[key] = value.spanAttribute }
        span.addEvent(SpanEvent(name: name, attributes: converted))
    }

    /// Ends the span; only for spans from ``InternalTracer/startSpan(_:kind:parent:attributes:)``.
    package func end() {
        span?.end()
    }
}

/// Where new spans attach: the span active in a task, captured to parent work done later elsewhere (a job runs
/// as a child of the span that was active when it was enqueued).
package struct TelemetryContext: Sendable {
    let value: InstrumentationContext?

    init(_ value: InstrumentationContext?) {
        self.value = value
    }

    /// The context of the calling task.
    package static var current: TelemetryContext { TelemetryContext(InstrumentationContext.current) }

    /// No parent: spans started here begin new traces.
    package static let root = TelemetryContext(nil)

    /// Runs `body` with this context as the task's current one, so spans started inside are its children.
    package func withCurrent<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> T {
        try await InstrumentationContext.$current.withValue(value, operation: body)
    }
}
