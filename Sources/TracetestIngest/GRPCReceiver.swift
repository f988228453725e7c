import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import ServiceLifecycle
import SwiftProtobuf
import TracetestOTLP

/// OTLP/gRPC `TraceService/Export` (port 4317 by default), with gzip and a message size limit.
public struct GRPCReceiver: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let logger: Logger
    let beforeServing: @Sendable () async throws -> Void
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - beforeServing: work that must finish before the port opens (start-up of the database).
    ///   - onListening: called with the bound port.
    public init(
        ingestion: Ingestion,
        host: String,
        port: Int,
        maxMessageBytes: Int,
        logger: Logger,
        beforeServing: @escaping @Sendable () async throws -> Void = {},
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                // The transport resets streams over its limit without a status, so it gets headroom and the
                // handler's deserializer answers RESOURCE_EXHAUSTED for messages between the two limits.
                config.rpc.maxRequestPayloadSize = min(
                    maxMessageBytes.multipliedReportingOverflow(by: 2).partialValue, Int(Int32.max))
                config.compression.enabledAlgorithms = .all
            }
        )
        server = GRPCServer(
            transport: transport,
            services: [TraceServiceHandler(ingestion: ingestion, maxMessageBytes: maxMessageBytes)])
        self.logger = logger
        self.beforeServing = beforeServing
        self.onListening = onListening
    }

    public func run() async throws {
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
}

struct TraceServiceHandler: Opentelemetry_Proto_Collector_Trace_V1_TraceService.SimpleServiceProtocol {
    let ingestion: Ingestion
    let maxMessageBytes: Int

    func export(request: ExportRequest, context: ServerContext) async throws -> ExportResponse {
        try await ingestion.receive(request, via: .grpc)
    }

    /// As generated, but with a deserializer that enforces the message size limit with a status.
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: LimitedDeserializer<ExportRequest>(limit: maxMessageBytes),
            serializer: ProtobufSerializer<ExportResponse>(),
            handler: { request, context in try await self.export(request: request, context: context) }
        )
    }
}

/// Refuses messages over `limit` bytes with RESOURCE_EXHAUSTED; malformed ones are INVALID_ARGUMENT.
struct LimitedDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    let limit: Int

    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> Message {
        let count = bytes.count
        guard count <= limit else {
            throw RPCError(
                code: .resourceExhausted,
                message:
                    "the message has \(count) bytes, more than otlpServer.maxMessageBytes (\(limit)): send smaller batches"
            )
        }
        return try ProtobufDeserializer<Message>().deserialize(bytes)
    }
}
