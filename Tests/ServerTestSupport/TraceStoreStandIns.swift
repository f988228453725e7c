import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization
import TracetestModel
import TracetestOTLP
import TracetestTraceSources

package typealias OTLPResourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans

/// A stand-in for the gRPC side of Jaeger and Tempo, written from their wire definitions (neither can run here): it
/// takes spans over OTLP/gRPC (`TraceService/Export`, as both do) and answers `jaeger.api_v3.QueryService/GetTrace`
/// (a stream of `TracesData`, 10 resource spans per message) and `tempopb.Querier/FindTraceByID`. With `token`, the
/// queries need the metadata `authorization: Bearer <token>` and are refused with UNAUTHENTICATED otherwise.
package final class GRPCTraceStoreStandIn: RegistrableRPCService, Sendable {
    private let traces = Mutex<[TraceID: [OTLPResourceSpans]]>([:])
    private let token: String?

    package init(token: String? = nil) {
        self.token = token
    }

    /// Keeps `resourceSpans`, under every trace id they hold.
    package func store(_ resourceSpans: [OTLPResourceSpans]) {
        traces.withLock { traces in
            for resource in resourceSpans {
                let ids = Set(resource.scopeSpans.flatMap(\.spans).compactMap { TraceID(bytes: $0.traceID) })
                for id in ids { traces[id, default: []].append(resource) }
            }
        }
    }

    package func resourceSpans(of id: TraceID) -> [OTLPResourceSpans] {
        traces.withLock { $0[id] ?? [] }
    }

    package func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: MethodDescriptor(
                fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export"),
            deserializer: ProtobufDeserializer<Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest>(),
            serializer: ProtobufSerializer<Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse>()
        ) { request, _ in
            for try await message in request.messages { self.store(message.resourceSpans) }
            return StreamingServerResponse(single: ServerResponse(message: .init()))
        }
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "jaeger.api_v3.QueryService", method: "GetTrace"),
            deserializer: ProtobufDeserializer<Jaeger_ApiV3_GetTraceRequest>(),
            serializer: ProtobufSerializer<Opentelemetry_Proto_Trace_V1_TracesData>()
        ) { request, _ in
            try self.authorize(request.metadata)
            var hex = ""
            for try await message in request.messages { hex = message.traceID }
            let found = try self.found(TraceID(hex: hex))
            return StreamingServerResponse { writer in
                for start in stride(from: 0, to: found.count, by: 10) {
                    var chunk = Opentelemetry_Proto_Trace_V1_TracesData()
                    chunk.resourceSpans = Array(found[start..<min(start + 10, found.count)])
                    try await writer.write(chunk)
                }
                return [:]
            }
        }
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "tempopb.Querier", method: "FindTraceByID"),
            deserializer: ProtobufDeserializer<Tempopb_TraceByIDRequest>(),
            serializer: ProtobufSerializer<Tempopb_TraceByIDResponse>()
        ) { request, _ in
            try self.authorize(request.metadata)
            var bytes = Data()
            for try await message in request.messages { bytes = message.traceID }
            var trace = Opentelemetry_Proto_Trace_V1_TracesData()
            trace.resourceSpans = try self.found(TraceID(bytes: bytes))
            var response = Tempopb_TraceByIDResponse()
            response.trace = try trace.serializedData()
            return StreamingServerResponse(single: ServerResponse(message: response))
        }
    }

    private func authorize(_ metadata: Metadata) throws {
        guard let token else { return }
        guard metadata["authorization"].contains(where: { $0 == .string("Bearer \(token)") }) else {
            throw RPCError(code: .unauthenticated, message: "invalid or missing token")
        }
    }

    private func found(_ id: TraceID?) throws -> [OTLPResourceSpans] {
        guard let id else { throw RPCError(code: .invalidArgument, message: "malformed trace id") }
        let found = resourceSpans(of: id)
        guard !found.isEmpty else { throw RPCError(code: .notFound, message: "trace not found") }
        return found
    }
}

/// Serves `service` on a free loopback port while `body` runs, over TLS with `tls` (PEM files; with
/// `requiringClientCertificate`, clients must show a certificate that this one signed); `body` gets the port.
package func withGRPCStandIn<R: Sendable>(
    _ service: any RegistrableRPCService, tls: (certificate: String, key: String)? = nil,
    requiringClientCertificate: Bool = false, _ body: (Int) async throws -> R
) async throws -> R {
    let security: HTTP2ServerTransport.Posix.TransportSecurity =
        switch (tls, requiringClientCertificate) {
        case (let tls?, false):
            .tls(
                certificateChain: [.file(path: tls.certificate, format: .pem)],
                privateKey: .file(path: tls.key, format: .pem))
        case (let tls?, true):
            .mTLS(
                certificateChain: [.file(path: tls.certificate, format: .pem)],
                privateKey: .file(path: tls.key, format: .pem)
            ) { $0.trustRoots = .certificates([.file(path: tls.certificate, format: .pem)]) }
        case (nil, _):
            .plaintext
        }
    let server = GRPCServer(
        transport: HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: security,
            config: .defaults { $0.rpc.maxRequestPayloadSize = 256 << 20 }),
        services: [service])
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        defer { server.beginGracefulShutdown() }
        guard let port = try await server.listeningAddress?.ipv4?.port else {
            throw StandInError("the gRPC stand-in did not listen")
        }
        return try await body(port)
    }
}

/// Serves `router` (Hummingbird) on a free loopback port while `body` runs; `body` gets the port.
package func withHTTPStandIn<R: Sendable>(
    _ router: Router<BasicRequestContext>, tls: (certificate: String, key: String)? = nil,
    _ body: (Int) async throws -> R
) async throws -> R {
    let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "tracetest.test.stand-in")
    logger.logLevel = .critical
    var server = HTTPServerBuilder.http1()
    if let tls {
        server = try .tls(
            .http1(),
            tlsConfiguration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))))
    }
    let app = Application(
        router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portInput.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    // Stopped gracefully: a server cancelled while it accepts a connection can crash in NIO.
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        let result: Result<R, any Error>
        var iterator = ports.makeAsyncIterator()
        if let port = await iterator.next(), port > 0 {
            do { result = .success(try await body(port)) } catch { result = .failure(error) }
        } else {
            result = .failure(StandInError("the HTTP stand-in did not listen"))
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

/// `GET /api/traces/{id}` as Tempo answers it: protobuf when asked for, else JSON with base64 ids; 404 unknown.
package func tempoHTTPRouter(_ traces: [TraceID: [OTLPResourceSpans]], json: Bool) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("api/traces/:id") { request, context -> Response in
        let hex = try context.parameters.require("id")
        guard let id = TraceID(hex: hex), let found = traces[id] else {
            return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "trace not found")))
        }
        var trace = Opentelemetry_Proto_Trace_V1_TracesData()
        trace.resourceSpans = found
        if json {
            guard let document = JSONParser.parse(try trace.jsonString()) else {
                throw StandInError("the trace is not JSON")
            }
            let body = "{\"batches\":\(document["resourceSpans"]?.jsonText ?? "[]")}"
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/protobuf"],
            body: .init(byteBuffer: ByteBuffer(bytes: try trace.serializedBytes() as [UInt8])))
    }
    return router
}

package struct StandInError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A trace like the demo app's, in OTLP: `POST /pokemon/import` (server) → `import pokemon` → `SELECT pokemon`
/// (client, PostgreSQL), service `pokeshop`, with `extra` more children of the root; ids from `traceID`.
package enum SampleTrace {
    package static let rootID = SpanID(0x1111_0000_0000_0001)

    package static func resourceSpans(_ traceID: TraceID, extra: Int = 0) -> [OTLPResourceSpans] {
        func span(
            _ id: UInt64, parent: UInt64?, _ name: String, _ kind: Opentelemetry_Proto_Trace_V1_Span.SpanKind,
            _ attributes: [(String, String)], start: UInt64
        ) -> Opentelemetry_Proto_Trace_V1_Span {
            var span = Opentelemetry_Proto_Trace_V1_Span()
            span.traceID = Data(traceID.bytes)
            span.spanID = Data(SpanID(id).bytes)
            if let parent { span.parentSpanID = Data(SpanID(parent).bytes) }
            span.name = name
            span.kind = kind
            span.startTimeUnixNano = 1_700_000_000_000_000_000 + start * 1_000_000
            span.endTimeUnixNano = span.startTimeUnixNano + 5_000_000
            span.attributes = attributes.map { key, value in
                var pair = Opentelemetry_Proto_Common_V1_KeyValue()
                pair.key = key
                pair.value.stringValue = value
                return pair
            }
            span.status.code = .ok
            return span
        }
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.scope.name = "pokeshop-instrumentation"
        scope.spans = [
            span(rootID.value, parent: nil, "POST /pokemon/import", .server, [("http.method", "POST")], start: 0),
            span(0x1111_0000_0000_0002, parent: rootID.value, "import pokemon", .internal, [], start: 1),
            span(
                0x1111_0000_0000_0003, parent: 0x1111_0000_0000_0002, "SELECT pokemon", .client,
                [("db.system", "postgresql"), ("db.statement", "SELECT * FROM pokemon")], start: 2),
        ]
        scope.spans += (0..<extra).map {
            span(0x2222_0000_0000_0000 + UInt64($0), parent: rootID.value, "step \($0)", .internal, [], start: 3)
        }
        var resource = OTLPResourceSpans()
        var service = Opentelemetry_Proto_Common_V1_KeyValue()
        service.key = "service.name"
        service.value.stringValue = "pokeshop"
        resource.resource.attributes = [service]
        resource.scopeSpans = [scope]
        return [resource]
    }
}
