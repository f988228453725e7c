import AsyncHTTPClient
import Foundation
import TracetestModel

/// AWS X-Ray: `BatchGetTraces` (`POST /Traces`, signed with SigV4), the trace id written `1-<8 hex>-<24 hex>`; each
/// segment document and its nested subsegments become spans.
struct AWSXRaySource: TraceSource {
    let settings: AWSXRaySettings
    let client: HTTPClient
    let environment: [String: String]

    var name: String { "AWS X-Ray" }
    var endpoints: [String] { [base] }
    var region: String { settings.region ?? "us-east-1" }

    var base: String { baseURL(settings.url, else: "https://xray.\(region).amazonaws.com") }

    /// The configured key, or with `useDefaultAuth` what the AWS default chain finds.
    private func credentials() async throws(TraceSourceError) -> AWSCredentials {
        guard settings.useDefaultAuth == true else {
            return AWSCredentials(
                accessKeyID: settings.accessKeyId ?? "", secretAccessKey: settings.secretAccessKey ?? "",
                sessionToken: settings.sessionToken)
        }
        return try await AWSCredentials.resolve(environment: environment, client: client)
    }

    static func xrayID(_ id: TraceID) -> String {
        let hex = id.hex
        return "1-\(hex.prefix(8))-\(hex.dropFirst(8))"
    }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let body = Array(#"{"TraceIds":["\#(Self.xrayID(id))"]}"#.utf8)
        let host = URLComponents(string: base).map { ($0.host ?? "") + ($0.port.map { ":\($0)" } ?? "") } ?? ""
        let headers = [("Content-Type", "application/json"), ("Host", host)]
        let credentials = try await credentials()
        let signer = SigV4(
            accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken,
            region: region, service: "xray")
        let signed = signer.sign(method: "POST", path: "/Traces", headers: headers, body: body, date: Date())
        let call = StoreHTTPCall(storeName: name, client: client)
        let answer = try call.json(try await call.send(.POST, "\(base)/Traces", headers: headers + signed, body: body))
        guard case .array(let traces) = answer["Traces"] ?? .array([]) else {
            throw TraceSourceError(.invalidAnswer, "AWS X-Ray answered Traces that are not a list")
        }
        let now = Trace.nowUnixNano()
        var spans: [Span] = []
        for trace in traces {
            guard case .array(let segments) = trace["Segments"] ?? .array([]) else { continue }
            for segment in segments {
                guard let document = JSONParser.parse(segment["Document"]?.plainText ?? "") else {
                    throw TraceSourceError(.invalidAnswer, "AWS X-Ray answered a segment document that is not JSON")
                }
                Self.spans(of: document, parent: nil, service: nil, now: now, into: &spans)
            }
        }
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    /// The span of a segment or subsegment, then those of its subsegments (children of it).
    static func spans(of document: JSONValue, parent: SpanID?, service: String?, now: Int64, into spans: inout [Span]) {
        guard let id = document["id"].flatMap({ SpanID(hex: $0.plainText) }) else { return }
        let isSegment = parent == nil
        let service = service ?? document["name"]?.plainText ?? ""
        var attributes: [String: String] = ["service.name": service]
        func set(_ key: String, _ value: JSONValue?) {
            if let value, value != .null { attributes[key] = value.plainText }
        }
        if case .object(let fields) = document["aws"] ?? .null {
            for (key, value) in flatten(.object(fields), prefix: "aws") { attributes[key] = value }
        }
        let http = document["http"]
        set("http.method", http?["request"]?["method"])
        set("http.url", http?["request"]?["url"])
        set("http.user_agent", http?["request"]?["user_agent"])
        set("http.client_ip", http?["request"]?["client_ip"])
        set("http.status_code", http?["response"]?["status"])
        set("http.response_content_length", http?["response"]?["content_length"])
        let sql = document["sql"]
        set("db.system", sql?["database_type"])
        set("db.statement", sql?["sanitized_query"])
        set("db.user", sql?["user"])
        set("db.connection_string", sql?["url"])
        set("enduser.id", document["user"])
        if case .object(let annotations) = document["annotations"] ?? .null {
            for annotation in annotations { attributes[annotation.key] = annotation.value.plainText }
        }
        if case .object(let namespaces) = document["metadata"] ?? .null {
            for namespace in namespaces { attributes["aws.xray.metadata.\(namespace.key)"] = namespace.value.jsonText }
        }
        set("aws.xray.inprogress", document["in_progress"])
        let start = seconds(document["start_time"])
        let end = seconds(document["end_time"])
        let namespace = document["namespace"]?.plainText
        var span = Span(
            id: id, parentID: parent ?? document["parent_id"].flatMap { SpanID(hex: $0.plainText) },
            name: document["name"]?.plainText ?? "",
            kind: isSegment ? .server : (namespace == "remote" || namespace == "aws") ? .client : .internal,
            startTimeUnixNano: start, endTimeUnixNano: end > 0 ? end : start, attributes: attributes)
        if document["fault"] == .bool(true) || document["error"] == .bool(true) {
            span.status = SpanStatus(code: "STATUS_CODE_ERROR")
        }
        Trace.injectMetadata(into: &span, now: now)
        spans.append(span)
        if case .array(let children) = document["subsegments"] ?? .null {
            for child in children { Self.spans(of: child, parent: id, service: service, now: now, into: &spans) }
        }
    }

    /// Unix nanoseconds of X-Ray's seconds with a fraction (read as text, so no precision is lost to a Double).
    static func seconds(_ value: JSONValue?) -> Int64 {
        let text = value?.plainText ?? ""
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = parts.first.flatMap({ Int64($0) }) else { return 0 }
        let fraction =
            parts.count > 1 ? String(parts[1].prefix(9)).padding(toLength: 9, withPad: "0", startingAt: 0) : "0"
        return whole * 1_000_000_000 + (Int64(fraction) ?? 0)
    }
}
