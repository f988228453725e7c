/// Attribute keys and span names Tracetest gives a meaning to (language.md §2).
package enum TracetestAttributes {
    package static let name = "tracetest.span.name"
    package static let type = "tracetest.span.type"
    package static let duration = "tracetest.span.duration"
    package static let startTime = "tracetest.span.start_time"
    package static let endTime = "tracetest.span.end_time"
    package static let statusCode = "tracetest.span.status_code"
    package static let statusDescription = "tracetest.span.status_description"
    package static let parentID = "tracetest.span.parent_id"
    package static let events = "span.events"
    /// Links as JSON; Tracetest does not keep links.
    package static let links = "span.links"
    package static let responseStatus = "tracetest.response.status"
    package static let responseBody = "tracetest.response.body"
    package static let responseHeaders = "tracetest.response.headers"
    /// `tracetest.selected_spans.count`: how many spans the current selector matched.
    package static let selectedSpansCount = "tracetest.selected_spans.count"
    package static let metaPrefix = "tracetest.selected_spans."

    /// The root span the server adds for the trigger.
    package static let triggerSpanName = "Tracetest trigger"
    /// The root the server makes up when a trace has several roots and no trigger span.
    package static let temporaryRootName = "Temporary Tracetest root span"
}

/// What kind of operation a span records, inferred from its attributes (`tracetest.span.type`).
package enum SpanType: String, Sendable, CaseIterable {
    case http, database, rpc, messaging, faas, exception, general

    /// Browser spans (`event_type` set, or named `documentLoad`) are `general`; otherwise the first of http,
    /// database, rpc, messaging, faas, exception whose key prefix (`http.`, `db.`, …) is present decides (Tracetest
    /// picks at random when a span has several families; this order makes it deterministic); otherwise `general`.
    package static func infer(name: String, attributes: [String: String]) -> SpanType {
        if let eventType = attributes["event_type"], !eventType.isEmpty { return .general }
        if name == "documentLoad" { return .general }
        var best = ranked.count
        for key in attributes.keys {
            let rank: Int
            switch key.utf8.first {
            case UInt8(ascii: "h") where key.hasPrefix("http."): rank = 0
            case UInt8(ascii: "d") where key.hasPrefix("db."): rank = 1
            case UInt8(ascii: "r") where key.hasPrefix("rpc."): rank = 2
            case UInt8(ascii: "m") where key.hasPrefix("messaging."): rank = 3
            case UInt8(ascii: "f") where key.hasPrefix("faas."): rank = 4
            case UInt8(ascii: "e") where key.hasPrefix("exception."): rank = 5
            default: continue
            }
            best = min(best, rank)
            if best == 0 { break }
        }
        return best < ranked.count ? ranked[best] : .general
    }

    private static let ranked: [SpanType] = [.http, .database, .rpc, .messaging, .faas, .exception]
}
