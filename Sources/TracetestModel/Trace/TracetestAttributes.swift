/// Attribute keys and span names Tracetest gives a meaning to (language.md §2).
public enum TracetestAttributes {
    public static let name = "tracetest.span.name"
    public static let type = "tracetest.span.type"
    public static let duration = "tracetest.span.duration"
    public static let startTime = "tracetest.span.start_time"
    public static let endTime = "tracetest.span.end_time"
    public static let statusCode = "tracetest.span.status_code"
    public static let statusDescription = "tracetest.span.status_description"
    public static let parentID = "tracetest.span.parent_id"
    public static let events = "span.events"
    /// Links as JSON; Tracetest does not keep links.
    public static let links = "span.links"
    public static let responseStatus = "tracetest.response.status"
    public static let responseBody = "tracetest.response.body"
    public static let responseHeaders = "tracetest.response.headers"
    /// `tracetest.selected_spans.count`: how many spans the current selector matched.
    public static let selectedSpansCount = "tracetest.selected_spans.count"
    public static let metaPrefix = "tracetest.selected_spans."

    /// The root span the server adds for the trigger.
    public static let triggerSpanName = "Tracetest trigger"
    /// The root the server makes up when a trace has several roots and no trigger span.
    public static let temporaryRootName = "Temporary Tracetest root span"
}

/// What kind of operation a span records, inferred from its attributes (`tracetest.span.type`).
public enum SpanType: String, Sendable, CaseIterable {
    case http, database, rpc, messaging, faas, exception, general

    /// Browser spans (`event_type` set, or named `documentLoad`) are `general`; otherwise the first of http,
    /// database, rpc, messaging, faas, exception whose key prefix (`http.`, `db.`, …) is present decides (Tracetest
    /// picks at random when a span has several families; this order makes it deterministic); otherwise `general`.
    public static func infer(name: String, attributes: [String: String]) -> SpanType {
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
