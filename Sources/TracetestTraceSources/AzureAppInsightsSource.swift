import AsyncHTTPClient
import TracetestModel

/// Azure Application Insights through the Azure Monitor Logs query API: `POST {url}/v1{resourceArmId}/query` with
/// the KQL `union * | where operation_Id == '<id>'`. Rows other than `trace` are spans; `trace` rows are events of
/// the span they name as parent.
struct AzureAppInsightsSource: TraceSource {
    let settings: AzureAppInsightsSettings
    let client: HTTPClient
    let environment: [String: String]

    var name: String { "Azure Application Insights" }
    var endpoints: [String] { [base] }

    var base: String { baseURL(settings.url, else: "https://api.loganalytics.azure.com") }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        guard let resource = settings.resourceArmId, !resource.isEmpty else {
            throw TraceSourceError(.failed, "the Azure Application Insights data store has no resourceArmId")
        }
        let call = StoreHTTPCall(storeName: name, client: client)
        let token =
            settings.useAzureActiveDirectoryAuth == true
            ? try await AzureToken.get(environment: environment, client: client) : settings.accessToken ?? ""
        let query = "union * | where operation_Id == '\(id.hex)'"
        var body = ""
        WireValue.writeJSONString(query, into: &body)
        let answered: StoreHTTPCall.Answer
        do {
            answered = try await call.send(
                .POST, "\(base)/v1\(resource.hasPrefix("/") ? "" : "/")\(resource)/query",
                headers: [
                    ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
                ],
                body: Array("{\"query\":\(body)}".utf8))
        } catch  where error.kind == .notFound {
            // No trace is an empty table; a 404 means the resource itself is not there.
            throw TraceSourceError(.failed, "Azure has no resource \(resource): check azureappinsights.resourceArmId")
        }
        let answer = try call.json(answered)
        guard case .array(let tables) = answer["tables"] ?? .null, let table = tables.first,
            case .array(let columns) = table["columns"] ?? .null, case .array(let rows) = table["rows"] ?? .null
        else {
            throw TraceSourceError(.invalidAnswer, "Azure answered without a result table")
        }
        let names = columns.map { $0["name"]?.plainText ?? "" }
        let records: [[String: JSONValue]] = rows.compactMap { row in
            guard case .array(let cells) = row else { return nil }
            return Dictionary(zip(names, cells), uniquingKeysWith: { first, _ in first })
        }
        let now = Trace.nowUnixNano()
        var spans = records.filter { $0["itemType"]?.plainText != "trace" }.compactMap { Self.span($0) }
        // `trace` rows (log messages) become events of their parent span.
        for record in records where record["itemType"]?.plainText == "trace" {
            guard let parent = record["operation_ParentId"].flatMap({ SpanID(hex: $0.plainText) }),
                let index = spans.firstIndex(where: { $0.id == parent })
            else { continue }
            spans[index].events.append(
                SpanEvent(
                    name: record["message"]?.plainText ?? "", timeUnixNano: nanoseconds(record["timestamp"]?.plainText),
                    attributes: Self.dimensions(record["customDimensions"])))
        }
        for index in spans.indices { Trace.injectMetadata(into: &spans[index], now: now) }
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    static func span(_ record: [String: JSONValue]) -> Span? {
        guard let id = record["id"].flatMap({ SpanID(hex: $0.plainText) }) else { return nil }
        var attributes = dimensions(record["customDimensions"])
        if let role = record["cloud_RoleName"]?.plainText, !role.isEmpty, attributes["service.name"] == nil {
            attributes["service.name"] = role
        }
        let start = nanoseconds(record["timestamp"]?.plainText)
        // `duration` is in milliseconds.
        let milliseconds = Double(record["duration"]?.plainText ?? "") ?? 0
        let kind: SpanKind =
            switch record["itemType"]?.plainText {
            case "request": .server
            case "dependency": .client
            default: .internal
            }
        return Span(
            id: id, parentID: record["operation_ParentId"].flatMap { SpanID(hex: $0.plainText) },
            name: record["name"]?.plainText ?? "", kind: kind, startTimeUnixNano: start,
            endTimeUnixNano: start + Int64(milliseconds * 1_000_000), attributes: attributes)
    }

    /// `customDimensions`: a JSON object, or its text.
    static func dimensions(_ value: JSONValue?) -> [String: String] {
        let object: JSONValue? =
            switch value {
            case .string(let text): JSONParser.parse(text)
            default: value
            }
        guard case .object(let fields) = object ?? .null else { return [:] }
        return Dictionary(fields.map { ($0.key, $0.value.plainText) }, uniquingKeysWith: { _, last in last })
    }
}
