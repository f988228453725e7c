import AsyncHTTPClient
import NIOCore
import TracetestModel

/// `POST /{index}/_search` on OpenSearch or Elasticsearch, paging with `from`/`size` until every hit is read.
struct SearchCall {
    let storeName: String
    let settings: ElasticSettings
    let client: HTTPClient
    static let pageSize = 1000

    var addresses: [String] { (settings.addresses ?? []).filter { !$0.isEmpty } }

    /// The `_source` of every hit of `query` (a JSON object's text).
    func documents(matching query: String) async throws(TraceSourceError) -> [JSONValue] {
        guard !addresses.isEmpty else {
            throw TraceSourceError(.failed, "the \(storeName) data store has no addresses")
        }
        guard let index = settings.index, !index.isEmpty else {
            throw TraceSourceError(.failed, "the \(storeName) data store has no index")
        }
        var documents: [JSONValue] = []
        while true {
            let body = "{\"query\":\(query),\"from\":\(documents.count),\"size\":\(Self.pageSize)}"
            let page = try await search(index: index, body: body)
            documents += page.documents
            if page.documents.count < Self.pageSize || documents.count >= page.total { return documents }
        }
    }

    private func search(index: String, body: String) async throws(TraceSourceError) -> (
        documents: [JSONValue], total: Int
    ) {
        var headers = [("Content-Type", "application/json")]
        if let user = settings.username, !user.isEmpty {
            headers.append(("Authorization", basicAuthorization(user, settings.password ?? "")))
        }
        let payload = Array(body.utf8)
        let call = StoreHTTPCall(
            storeName: storeName, client: client,
            tls: try storeTLS(
                nil, caPEM: settings.certificate, skipVerify: settings.insecureSkipVerify == true,
                storeName: storeName))
        var lastError: TraceSourceError?
        // Each address in turn while they cannot be reached.
        for address in addresses {
            let base = baseURL(address, else: address)
            do throws(TraceSourceError) {
                let answer = try await call.send(.POST, "\(base)/\(index)/_search", headers: headers, body: payload)
                guard let hits = try call.json(answer)["hits"], hits.isObject else {
                    throw TraceSourceError(
                        .invalidAnswer, "\(storeName) answered JSON without hits: \(StoreHTTPCall.excerpt(answer.body))"
                    )
                }
                guard case .array(let list) = hits["hits"] ?? .array([]) else {
                    throw TraceSourceError(.invalidAnswer, "\(storeName) answered hits that are not a list")
                }
                let total = Int((hits["total"]?["value"] ?? hits["total"])?.plainText ?? "") ?? list.count
                return (list.compactMap { $0["_source"] }.filter(\.isObject), total)
            } catch {
                if error.kind == .notFound { return ([], 0) }
                guard error.kind == .unreachable else { throw error }
                lastError = error
            }
        }
        throw lastError ?? TraceSourceError(.unreachable, "no \(storeName) address answered")
    }
}

/// OpenSearch with Data Prepper's span documents (`traceId`, `spanId`, `parentSpanId`, `span.attributes.*`).
struct OpenSearchSource: TraceSource {
    let settings: ElasticSettings
    let client: HTTPClient

    var name: String { "OpenSearch" }
    var endpoints: [String] { settings.addresses ?? [] }
    var usualPorts: [Int] { [9200, 9250] }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let query =
            "{\"bool\":{\"should\":[{\"match\":{\"traceId\":\"\(id.hex)\"}},{\"match\":{\"traceID\":\"\(id.hex)\"}}]}}"
        let documents = try await SearchCall(storeName: "OpenSearch", settings: settings, client: client)
            .documents(matching: query)
        let now = Trace.nowUnixNano()
        let spans = documents.compactMap { Self.span(flatten($0), now: now) }
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    /// A Data Prepper span document, flattened (`span.attributes.http@method`, `status.code`).
    static func span(_ fields: [String: String], now: Int64) -> Span? {
        guard let id = fields["spanId"].flatMap({ SpanID(hex: $0) }) else { return nil }
        var attributes: [String: String] = [:]
        for (key, value) in fields {
            for prefix in ["span.attributes.", "resource.attributes."] where key.hasPrefix(prefix) {
                // Data Prepper writes the dots of attribute names as `@`.
                attributes[key.dropFirst(prefix.count).replacingOccurrences(of: "@", with: ".")] = value
            }
        }
        if attributes["service.name"] == nil, let service = fields["serviceName"] {
            attributes["service.name"] = service
        }
        var span = Span(
            id: id, parentID: fields["parentSpanId"].flatMap { SpanID(hex: $0) }, name: fields["name"] ?? "",
            kind: kind(fields["kind"]), startTimeUnixNano: nanoseconds(fields["startTime"]),
            endTimeUnixNano: nanoseconds(fields["endTime"]), attributes: attributes)
        if let code = fields["status.code"].flatMap({ Int($0) }) {
            span.status = SpanStatus(
                code: ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"][min(max(code, 0), 2)],
                message: fields["status.message"] ?? "")
        }
        Trace.injectMetadata(into: &span, now: now)
        return span
    }

    /// `SPAN_KIND_SERVER`, `SERVER` or `server`.
    static func kind(_ text: String?) -> SpanKind {
        let name = (text ?? "").lowercased().replacingOccurrences(of: "span_kind_", with: "")
        return SpanKind(rawValue: name) ?? .unspecified
    }
}

/// Elastic APM documents (`trace.id`, `span.id` or `transaction.id`, `parent.id`), flattened with dots.
struct ElasticAPMSource: TraceSource {
    let settings: ElasticSettings
    let client: HTTPClient

    var name: String { "Elasticsearch" }
    var endpoints: [String] { settings.addresses ?? [] }
    var usualPorts: [Int] { [9200] }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let documents = try await SearchCall(storeName: "Elasticsearch", settings: settings, client: client)
            .documents(matching: "{\"match\":{\"trace.id\":\"\(id.hex)\"}}")
        let now = Trace.nowUnixNano()
        let spans = documents.compactMap { Self.span(flatten($0), now: now) }
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    static func span(_ fields: [String: String], now: Int64) -> Span? {
        guard let id = (fields["span.id"] ?? fields["transaction.id"]).flatMap({ SpanID(hex: $0) }) else { return nil }
        let start = nanoseconds(fields["@timestamp"])
        let micros = Int64(fields["span.duration.us"] ?? fields["transaction.duration.us"] ?? "") ?? 0
        var attributes: [String: String] = [:]
        for (key, value) in fields {
            var name = Substring(key)
            for prefix in ["transaction.", "span."] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
            attributes[String(name)] = value
        }
        var span = Span(
            id: id, parentID: fields["parent.id"].flatMap { SpanID(hex: $0) },
            name: fields["span.name"] ?? fields["transaction.name"] ?? "",
            kind: OpenSearchSource.kind(
                fields["span.kind"] ?? (fields["transaction.type"] == "request" ? "server" : nil)),
            startTimeUnixNano: start, endTimeUnixNano: start + micros * 1000, attributes: attributes)
        if let outcome = fields["event.outcome"] {
            span.status = SpanStatus(
                code: outcome == "failure"
                    ? "STATUS_CODE_ERROR" : outcome == "success" ? "STATUS_CODE_OK" : "STATUS_CODE_UNSET")
        }
        Trace.injectMetadata(into: &span, now: now)
        return span
    }
}

/// A JSON document's leaves as `a.b.c` → text (a key with dots of its own stays as written).
func flatten(_ value: JSONValue, prefix: String = "") -> [String: String] {
    guard case .object(let fields) = value else { return prefix.isEmpty ? [:] : [prefix: value.plainText] }
    var flat: [String: String] = [:]
    for field in fields {
        flat.merge(flatten(field.value, prefix: prefix.isEmpty ? field.key : "\(prefix).\(field.key)")) { $1 }
    }
    return flat
}

/// Unix nanoseconds of an RFC 3339 time (to the microsecond) or of a number of nanoseconds.
func nanoseconds(_ text: String?) -> Int64 {
    guard let text else { return 0 }
    if let nanos = Int64(text) { return nanos }
    return Timestamp(rfc3339: text).map { $0.microsecondsSinceEpoch * 1000 } ?? 0
}
