import AsyncHTTPClient
import Foundation
import TracetestModel

/// Sumo Logic's tracing API: the trace's span summaries page by page (`GET v1/tracing/traces/{id}/spans`), and once
/// polling is done each span's details (`.../spans/{spanId}`: attributes and events), waiting 10 s when the API says
/// 429 (it allows 250 requests a minute, the reason details wait until the end).
struct SumoLogicSource: TraceSource {
    let settings: SumoLogicSettings
    let client: HTTPClient
    /// How long to wait after a 429 (a test makes it short).
    var rateLimitWait = Duration.seconds(10)

    var name: String { "Sumo Logic" }
    var endpoints: [String] { [base] }

    var base: String { baseURL(settings.url, else: "https://api.sumologic.com/api") }

    private var headers: [(String, String)] {
        [("Authorization", basicAuthorization(settings.accessID ?? "", settings.accessKey ?? ""))]
    }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let call = StoreHTTPCall(storeName: name, client: client)
        let now = Trace.nowUnixNano()
        var spans: [Span] = []
        var token: String?
        repeat {
            var url = "\(base)/v1/tracing/traces/\(id.hex)/spans?limit=100"
            if let token, let escaped = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                url += "&token=\(escaped)"
            }
            let page = try call.json(try await send(call, url))
            guard case .array(let summaries) = page["spanPage"] ?? .array([]) else {
                throw TraceSourceError(.invalidAnswer, "Sumo Logic answered a span page that is not a list")
            }
            spans += summaries.compactMap { Self.span($0, now: now) }
            token = page["next"].flatMap { $0 == .null ? nil : $0.plainText }
        } while token != nil && !(token?.isEmpty ?? true)
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    /// Each span's attributes and events, asked for once the trace is complete.
    func completed(_ spans: [Span], of id: TraceID) async throws(TraceSourceError) -> [Span] {
        let call = StoreHTTPCall(storeName: name, client: client)
        let now = Trace.nowUnixNano()
        var detailed: [Span] = []
        for var span in spans {
            let details = try call.json(
                try await send(call, "\(base)/v1/tracing/traces/\(id.hex)/spans/\(span.id.hex)"))
            if case .object(let fields) = details["fields"] ?? .null {
                for field in fields { span.attributes[field.key] = (field.value["value"] ?? field.value).plainText }
            }
            if case .array(let events) = details["events"] ?? .null {
                span.events = events.map { event in
                    var attributes: [String: String] = [:]
                    if case .array(let pairs) = event["attributes"] ?? .null {
                        for pair in pairs {
                            attributes[pair["attributeName"]?.plainText ?? ""] =
                                (pair["attributeValue"]?["value"] ?? .null).plainText
                        }
                    }
                    return SpanEvent(
                        name: event["name"]?.plainText ?? "", timeUnixNano: nanoseconds(event["timestamp"]?.plainText),
                        attributes: attributes)
                }
            }
            Trace.injectMetadata(into: &span, now: now)
            detailed.append(span)
        }
        return detailed
    }

    /// GET `url`, waiting `rateLimitWait` and trying again while the API answers 429 (five times at most).
    private func send(_ call: StoreHTTPCall, _ url: String) async throws(TraceSourceError) -> StoreHTTPCall.Answer {
        var attempt = 0
        while true {
            do {
                return try await call.send(.GET, url, headers: headers)
            } catch  where error.kind == .rateLimited && attempt < 5 {
                attempt += 1
                do { try await Task.sleep(for: rateLimitWait) } catch { throw TraceSourceError(.failed, "cancelled") }
            }
        }
    }

    static func span(_ summary: JSONValue, now: Int64) -> Span? {
        guard let id = summary["id"].flatMap({ SpanID(hex: $0.plainText) }) else { return nil }
        let start = nanoseconds(summary["startedAt"]?.plainText)
        let duration = Int64(summary["duration"]?.plainText ?? "") ?? 0
        var span = Span(
            id: id, parentID: summary["parentId"].flatMap { SpanID(hex: $0.plainText) },
            name: summary["operationName"]?.plainText ?? "", startTimeUnixNano: start,
            endTimeUnixNano: start + duration)
        Trace.injectMetadata(into: &span, now: now)
        return span
    }
}
