import AsyncHTTPClient
import Foundation
import NIOCore
import SwiftProtobuf
import TracetestIngest
import TracetestModel
import TracetestOTLP

/// Grafana Tempo: `tempopb.Querier/FindTraceByID` over gRPC, or `GET {url}/api/traces/{id}` over HTTP (protobuf when
/// the answer says `application/protobuf`, else JSON with base64 ids, as Tempo writes them).
struct TempoSource: TraceSource {
    let settings: TempoSettings
    let client: HTTPClient
    let clients: StoreGRPCClients

    private var usesGRPC: Bool { settings.type == "grpc" }
    private var answerLimit: Int { settings.maxResponseBytes ?? storeAnswerLimit }

    var name: String { "Tempo" }
    var endpoints: [String] { [usesGRPC ? settings.grpc?.endpoint ?? "" : settings.http?.url ?? ""] }
    var usualPorts: [Int] { usesGRPC ? [9095] : [3200, 443, 80] }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        let spans = usesGRPC ? try await grpcTrace(id) : try await httpTrace(id)
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }

    private func grpcTrace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        var request = Tempopb_TraceByIDRequest()
        request.traceID = Data(id.bytes)
        let answers = try await StoreGRPCCall(
            storeName: "Tempo", settings: settings.grpc ?? GRPCClientSettings(), clients: clients,
            answerLimit: answerLimit
        )
        .call(
            service: "tempopb.Querier", method: "FindTraceByID", request: request,
            answer: Tempopb_TraceByIDResponse.self)
        do {
            let traces = try answers.map { try Opentelemetry_Proto_Trace_V1_TracesData(serializedBytes: $0.trace) }
            return OTLPConversion.spans(of: id, in: traces.flatMap(\.resourceSpans))
        } catch {
            throw TraceSourceError(.invalidAnswer, "Tempo answered a trace that cannot be decoded: \(error)")
        }
    }

    private func httpTrace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        guard !(settings.http?.url ?? "").isEmpty else {
            throw TraceSourceError(.failed, "the Tempo data store has no http.url")
        }
        var base = baseURL(settings.http?.url, else: "")
        // Tempo behind port 443 speaks HTTPS, as upstream assumes.
        if base.hasPrefix("http://"), hostAndPort(base)?.port == 443 { base = "https://" + base.dropFirst(7) }
        let call = StoreHTTPCall(
            storeName: "Tempo", client: client, answerLimit: answerLimit,
            tls: try storeTLS(settings.http?.tls, storeName: "Tempo"))
        let headers = (settings.http?.headers ?? [:]).map { ($0.key, $0.value) } + [("Accept", "application/protobuf")]
        let answer = try await call.send(.GET, "\(base)/api/traces/\(id.hex)", headers: headers)
        do {
            if answer.contentType.hasPrefix("application/protobuf") {
                let trace = try Opentelemetry_Proto_Trace_V1_TracesData(serializedBytes: Data(buffer: answer.body))
                return OTLPConversion.spans(of: id, in: trace.resourceSpans)
            }
            return OTLPConversion.spans(of: id, in: try Self.jsonBatches(Data(buffer: answer.body)))
        } catch {
            throw TraceSourceError(
                .invalidAnswer,
                "Tempo answered something that is not a trace (\(error)): \(StoreHTTPCall.excerpt(answer.body))")
        }
    }

    private struct NotATrace: Error, CustomStringConvertible {
        var description: String { "not a JSON object" }
    }

    /// `{"batches": [ResourceSpans...]}` in protobuf's JSON mapping (ids in base64), or Tempo 2's
    /// `{"trace": {"resourceSpans": [...]}}`.
    static func jsonBatches(_ data: Data) throws -> [Opentelemetry_Proto_Trace_V1_ResourceSpans] {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        // Usually the answer starts with its batches: decoded in one pass, as `TracesData` under another name.
        let prefix = Array(#"{"batches":"#.utf8)
        let start = data.firstIndex { !" \n\r\t".utf8.contains($0) } ?? data.startIndex
        if data[start...].starts(with: prefix) {
            var renamed = Data(#"{"resourceSpans":"#.utf8)
            renamed.append(data[(start + prefix.count)...])
            if let decoded = try? Opentelemetry_Proto_Trace_V1_TracesData(jsonUTF8Data: renamed, options: options) {
                return decoded.resourceSpans
            }
        }
        guard let document = JSONParser.parse(String(decoding: data, as: UTF8.self)), document.isObject else {
            throw NotATrace()
        }
        let batches = document["batches"] ?? document["trace"]?["resourceSpans"] ?? .array([])
        return try Opentelemetry_Proto_Trace_V1_TracesData(
            jsonString: "{\"resourceSpans\":\(batches.jsonText)}", options: options
        ).resourceSpans
    }
}
