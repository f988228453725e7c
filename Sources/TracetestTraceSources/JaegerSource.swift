import TracetestIngest
import TracetestModel
import TracetestOTLP

/// Jaeger's query API v3 over gRPC: `jaeger.api_v3.QueryService/GetTrace`, a stream of OTLP `TracesData`.
struct JaegerSource: TraceSource {
    let settings: GRPCClientSettings
    let clients: StoreGRPCClients

    var name: String { "Jaeger" }
    var endpoints: [String] { [settings.endpoint ?? ""] }
    var usualPorts: [Int] { [16685] }

    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span] {
        var request = Jaeger_ApiV3_GetTraceRequest()
        request.traceID = id.hex
        let chunks = try await StoreGRPCCall(storeName: "Jaeger", settings: settings, clients: clients).call(
            service: "jaeger.api_v3.QueryService", method: "GetTrace", request: request,
            answer: Opentelemetry_Proto_Trace_V1_TracesData.self)
        let spans = OTLPConversion.spans(of: id, in: chunks.flatMap(\.resourceSpans))
        guard !spans.isEmpty else { throw TraceSourceError(.notFound, "trace not found") }
        return spans
    }
}
