import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import NIOCore
import ServiceLifecycle
import SwiftProtobuf
import TracetestConcurrency
import TracetestModel
import TracetestOTLP
import TracetestTelemetry

/// OTLP/gRPC `TraceService/Export` (port 4317 by default), with gzip and a message size limit.
package struct GRPCReceiver: Service {
    let handler: TraceServiceHandler
    /// `otlpServer.auth.token`, when calls must carry it.
    let token: BearerToken?
    let host: String
    let port: Int
    let logger: Logger
    let beforeServing: @Sendable () async throws -> Void
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - host: an IPv4 or IPv6 address, or a host name (resolved when the receiver starts, as the HTTP receiver
    ///     does: the first address the resolver gives).
    ///   - telemetry: the server's telemetry, for the `Export trace` span and the count of ingested spans.
    ///   - beforeServing: work that must finish before the port opens (start-up of the database).
    ///   - onListening: called with the bound port.
    package init(
        ingestion: Ingestion,
        host: String,
        port: Int,
        maxMessageBytes: Int,
        token: BearerToken? = nil,
        logger: Logger,
        telemetry: Telemetry = .disabled,
        beforeServing: @escaping @Sendable () async throws -> Void = {},
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        handler = TraceServiceHandler(ingestion: ingestion, maxMessageBytes: maxMessageBytes, telemetry: telemetry)
        self.token = token
        self.host = host
        self.port = port
        self.logger = logger
        self.beforeServing = beforeServing
        self.onListening = onListening
    }

    package func run() async throws {
        let address = try Self.bindAddress(host: host, port: port)
        let maxMessageBytes = handler.maxMessageBytes
        let transport = HTTP2ServerTransport.Posix(
            address: address,
            transportSecurity: .plaintext,
            config: .defaults { config in
                // The transport resets streams over its limit without a status, so it gets headroom and the
                // handler's deserializer answers RESOURCE_EXHAUSTED for messages between the two limits.
                config.rpc.maxRequestPayloadSize = min(
                    maxMessageBytes.multipliedReportingOverflow(by: 2).partialValue, Int(Int32.max))
                config.compression.enabledAlgorithms = .all
            }
        )
        let server = GRPCServer(
            transport: transport, services: [handler], interceptors: token.map { [TokenInterceptor(token: $0)] } ?? [])
        try await beforeServing()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.serve()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            if let address = try await server.listeningAddress, let port = address.ipv4?.port ?? address.ipv6?.port {
                await onListening(port)
            }
        }
    }

    /// The address to listen on: `host` as written when it is an IP address, else its first resolved address.
    static func bindAddress(host: String, port: Int) throws -> GRPCNIOTransportCore.SocketAddress {
        let resolved: NIOCore.SocketAddress
        do {
            resolved = try NIOCore.SocketAddress.makeAddressResolvingHost(host, port: port)
        } catch {
            throw ReceiverAddressError(
                description: "otlpServer.host \"\(host)\" cannot be resolved to an address to listen on: \(error)")
        }
        switch resolved {
        case .v4: return .ipv4(host: resolved.ipAddress ?? host, port: port)
        case .v6: return .ipv6(host: resolved.ipAddress ?? host, port: port)
        case .unixDomainSocket:
            throw ReceiverAddressError(description: "otlpServer.host \"\(host)\" is not an IP address or host name")
        }
    }
}

/// The receiver's host cannot be listened on.
package struct ReceiverAddressError: Error, CustomStringConvertible {
    package var description: String
}

/// Refuses calls without `authorization: Bearer <otlpServer.auth.token>` with UNAUTHENTICATED, before their
/// message is read.
struct TokenInterceptor: ServerInterceptor {
    let token: BearerToken

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let sent = request.metadata[stringValues: "authorization"].first(where: { _ in true })
        guard token.accepts(authorization: sent) else {
            throw RPCError(
                code: .unauthenticated,
                message: (sent == nil ? "no token was sent" : "the token is wrong")
                    + ": this receiver requires the metadata authorization: Bearer <token> (otlpServer.auth.token); "
                    + "set it as a header of your exporter (OTEL_EXPORTER_OTLP_HEADERS)")
        }
        return try await next(request, context)
    }
}

/// `TraceService/Export`: the message is decoded and converted on the compute pool (in parallel across calls), not
/// by the transport, which would decode every call of a connection on one thread.
struct TraceServiceHandler: RegistrableRPCService {
    let ingestion: Ingestion
    let maxMessageBytes: Int
    let telemetry: Telemetry

    func export(_ request: ExportRequestBytes) async throws -> ExportResponse {
        let batch: SpanBatch
        do {
            batch = try await ComputePool.shared.run {
                try request.bytes.withUnsafeBytes { try OTLPProtobuf.batch(from: $0) }
            }
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot decode the request as OTLP protobuf: \(error)")
        }
        return try await telemetry.observeExport(of: batch, transport: .grpc) {
            try await ingestion.receive(batch, via: .grpc)
        }
    }

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: ExportRequestDeserializer(limit: maxMessageBytes),
            serializer: ProtobufSerializer<ExportResponse>(),
            handler: { request, _ in
                let message = try await ServerRequest(stream: request).message
                return StreamingServerResponse(single: ServerResponse(message: try await export(message)))
            }
        )
    }
}

/// The bytes of an export request, decoded by the handler.
struct ExportRequestBytes: Sendable {
    var bytes: [UInt8]
}

/// Refuses messages over `limit` bytes with RESOURCE_EXHAUSTED; otherwise keeps the bytes for the handler, which
/// decodes them (malformed ones are INVALID_ARGUMENT; text that is not UTF-8 is repaired, ``OTLPProtobuf``).
struct ExportRequestDeserializer: MessageDeserializer {
    let limit: Int

    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> ExportRequestBytes {
        let count = bytes.count
        guard count <= limit else {
            throw RPCError(
                code: .resourceExhausted,
                message:
                    "the message has \(count) bytes, more than otlpServer.maxMessageBytes (\(limit)): send smaller batches"
            )
        }
        return ExportRequestBytes(bytes: bytes.withUnsafeBytes { Array($0) })
    }
}

extension Telemetry {
    /// Runs the ingestion of `batch` in an `Export trace` span, the root of a new trace, and counts its spans in
    /// `tracetest.otlp.ingested_spans`. A request whose spans all come from this server's own telemetry (its
    /// `service.instance.id`) gets no span, so telemetry sent back to this server cannot feed itself.
    func observeExport<T>(
        of batch: SpanBatch,
        transport: SpanStore.Transport,
        _ body: () async throws -> T
    ) async throws -> T {
        let result: T
        if tracer.isEnabled, !isOwnTelemetry(batch) {
            result = try await tracer.withSpan(SpanName.exportTrace, parent: .root) { _ in try await body() }
        } else {
            result = try await body()
        }
        if metrics.isEnabled {
            metrics.countIngestedSpans(
                batch.spanCount + batch.rejectedSpans, transport: transport == .grpc ? "grpc" : "http")
        }
        return result
    }

    /// Whether every span of `batch` carries this server's `service.instance.id` (from its resource).
    func isOwnTelemetry(_ batch: SpanBatch) -> Bool {
        !batch.traces.isEmpty
            && batch.traces.allSatisfy { trace in
                trace.spans.allSatisfy { $0.attributes["service.instance.id"] == instanceID }
            }
    }
}
