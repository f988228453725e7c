import AsyncHTTPClient
import TracetestModel

/// SignalFx (Splunk APM): the trace's segments (`GET /v2/apm/trace/{id}/segments`, a list of timestamps), then the
/// spans of each segment (`GET /v2/apm/trace/{id}/{timestamp}`).
struct SignalFxSource: TraceSource {
    let settings: SignalFXSettings
    let client: HTTPClient

    var name: String { "SignalFx" }
    var endpoints: [String] { [base] }

    /// `url`, else the realm's API.
    var base: String { baseURL(settings.url, else: "https://api.\(settings.realm ?? "us0").signalfx.com") }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let call = StoreHTTPCall(storeName: name, client: client)
        let headers = [("Authorization", "Bearer \(settings.token ?? "")"), ("X-SF-Token", settings.token ?? "")]
        let segments = try call.json(
            try await call.send(.GET, "\(base)/v2/apm/trace/\(id.hex)/segments", headers: headers))
        guard case .array(let timestamps) = segments else {
            throw TraceSourceError(.invalidAnswer, "SignalFx answered segments that are not a list")
        }
        let now = Trace.nowUnixNano()
        var spans: [Span] = []
        for timestamp in timestamps {
            let answer = try call.json(
                try await call.send(.GET, "\(base)/v2/apm/trace/\(id.hex)/\(timestamp.plainText)", headers: headers))
            guard case .array(let documents) = answer else {
                throw TraceSourceError(.invalidAnswer, "SignalFx answered a segment that is not a list of spans")
            }
            spans += documents.compactMap { Self.span($0, now: now) }
        }
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    static func span(_ document: JSONValue, now: Int64) -> Span? {
        guard let id = document["spanId"].flatMap({ SpanID(hex: $0.plainText) }) else { return nil }
        var attributes: [String: String] = [:]
        for key in ["processTags", "tags"] {
            guard case .object(let fields) = document[key] ?? .null else { continue }
            for field in fields { attributes[field.key] = field.value.plainText }
        }
        let kind = attributes.removeValue(forKey: "span.kind")
        let start = startNanoseconds(document["startTime"])
        let micros = Int64(document["durationMicros"]?.plainText ?? "") ?? 0
        var span = Span(
            id: id, parentID: document["parentId"].flatMap { SpanID(hex: $0.plainText) },
            name: document["operationName"]?.plainText ?? "", kind: OpenSearchSource.kind(kind),
            startTimeUnixNano: start, endTimeUnixNano: start + micros * 1000, attributes: attributes)
        Trace.injectMetadata(into: &span, now: now)
        return span
    }

    /// An RFC 3339 time, or a number of microseconds.
    private static func startNanoseconds(_ value: JSONValue?) -> Int64 {
        guard let value else { return 0 }
        if case .number(let text) = value { return (Int64(text) ?? 0) * 1000 }
        return nanoseconds(value.plainText)
    }
}
