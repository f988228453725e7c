/// One span as Tracetest sees it: every attribute value is text (OTLP values are converted on arrival).
public struct Span: Sendable, Equatable {
    public var id: SpanID
    /// Nil (or the zero id) for a span without parent.
    public var parentID: SpanID?
    public var name: String
    public var kind: SpanKind
    public var startTimeUnixNano: Int64
    public var endTimeUnixNano: Int64
    public var attributes: [String: String]
    public var events: [SpanEvent]
    public var links: [SpanLink]
    public var status: SpanStatus?
    /// Whether the `tracetest.span.*` attributes, `span.events` and `span.links` were added
    /// (``Trace/injectMetadata(into:now:)``); trace assembly adds them to spans that lack them.
    public var hasTracetestMetadata: Bool

    public init(
        id: SpanID,
        parentID: SpanID? = nil,
        name: String,
        kind: SpanKind = .unspecified,
        startTimeUnixNano: Int64 = 0,
        endTimeUnixNano: Int64 = 0,
        attributes: [String: String] = [:],
        events: [SpanEvent] = [],
        links: [SpanLink] = [],
        status: SpanStatus? = nil,
        hasTracetestMetadata: Bool = false
    ) {
        self.id = id
        self.parentID = parentID
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.events = events
        self.links = links
        self.status = status
        self.hasTracetestMetadata = hasTracetestMetadata
    }
}

/// Tracetest's span kinds; `unspecified` is written `unespecified`, as Tracetest spells it.
public enum SpanKind: String, Sendable, CaseIterable {
    case client, server, `internal`, producer, consumer
    case unspecified = "unespecified"
}

/// A span status, with OTLP's code names (`STATUS_CODE_UNSET`, `STATUS_CODE_OK`, `STATUS_CODE_ERROR`).
public struct SpanStatus: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String = "") {
        self.code = code
        self.message = message
    }
}

public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var timeUnixNano: Int64
    public var attributes: [String: String]

    public init(name: String, timeUnixNano: Int64, attributes: [String: String] = [:]) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

public struct SpanLink: Sendable, Equatable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: [String: String]

    public init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [String: String] = [:]) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
    }
}
