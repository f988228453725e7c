/// One span as Tracetest sees it: every attribute value is text (OTLP values are converted on arrival).
package struct Span: Sendable, Equatable {
    package var id: SpanID
    /// Nil (or the zero id) for a span without parent.
    package var parentID: SpanID?
    package var name: String
    package var kind: SpanKind
    package var startTimeUnixNano: Int64
    package var endTimeUnixNano: Int64
    package var attributes: [String: String]
    package var events: [SpanEvent]
    package var links: [SpanLink]
    package var status: SpanStatus?
    /// Whether the `tracetest.span.*` attributes, `span.events` and `span.links` were added
    /// (``Trace/injectMetadata(into:now:)``); trace assembly adds them to spans that lack them.
    package var hasTracetestMetadata: Bool

    package init(
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
package enum SpanKind: String, Sendable, CaseIterable {
    case client, server, `internal`, producer, consumer
    case unspecified = "unespecified"
}

/// A span status, with OTLP's code names (`STATUS_CODE_UNSET`, `STATUS_CODE_OK`, `STATUS_CODE_ERROR`).
package struct SpanStatus: Sendable, Equatable {
    package var code: String
    package var message: String

    package init(code: String, message: String = "") {
        self.code = code
        self.message = message
    }
}

package struct SpanEvent: Sendable, Equatable {
    package var name: String
    package var timeUnixNano: Int64
    package var attributes: [String: String]

    package init(name: String, timeUnixNano: Int64, attributes: [String: String] = [:]) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

package struct SpanLink: Sendable, Equatable {
    package var traceID: TraceID
    package var spanID: SpanID
    package var traceState: String
    package var attributes: [String: String]

    package init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [String: String] = [:]) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
    }
}

extension Span {
    /// Roughly what the span takes in memory: its texts plus a fixed cost per span, attribute, event and link.
    package var approximateBytes: Int {
        func size(_ attributes: [String: String]) -> Int {
            attributes.reduce(0) { $0 + 48 + $1.key.utf8.count + $1.value.utf8.count }
        }
        var bytes = 200 + name.utf8.count + size(attributes)
        for event in events { bytes += 64 + event.name.utf8.count + size(event.attributes) }
        for link in links { bytes += 96 + link.traceState.utf8.count + size(link.attributes) }
        return bytes
    }
}
