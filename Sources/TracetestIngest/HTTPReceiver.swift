import CompressNIO
import Foundation
import GRPCCore
import GRPCProtobuf
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf
import TracetestConcurrency
import TracetestModel
import TracetestOTLP
import TracetestTelemetry

/// OTLP/HTTP `POST /v1/traces` (port 4318 by default): binary protobuf or JSON, optionally gzip-compressed; the
/// response uses the request's encoding. Errors carry a `google.rpc.Status` body.
package enum HTTPReceiver {
    /// The Hummingbird application of the receiver, to run as a service.
    package static func application(
        ingestion: Ingestion,
        host: String,
        port: Int,
        maxMessageBytes: Int,
        token: BearerToken? = nil,
        logger: Logger,
        telemetry: Telemetry = .disabled,
        beforeServing: @escaping @Sendable () async throws -> Void = {},
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(
            middleware: CORSMiddleware(
                allowOrigin: .originBased,
                allowHeaders: [.contentType, .contentEncoding, .authorization],
                allowMethods: [.post, .options],
                allowCredentials: true
            )
        )
        router.post("v1/traces") { request, _ in
            if let token, !token.accepts(authorization: request.headers[.authorization]) {
                return failure(
                    .unauthorized, .unauthenticated,
                    (request.headers[.authorization] == nil ? "no token was sent" : "the token is wrong")
                        + ": this receiver requires Authorization: Bearer <token> (otlpServer.auth.token); set it as "
                        + "a header of your exporter (OTEL_EXPORTER_OTLP_HEADERS)",
                    Encoding(contentType: request.headers[.contentType]) ?? .json)
            }
            return await export(
                request, ingestion: ingestion, limit: maxMessageBytes, logger: logger, telemetry: telemetry)
        }
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        application.beforeServerStarts(perform: beforeServing)
        return application
    }

    enum Encoding {
        case protobuf, json

        /// The encoding of a `Content-Type`, nil when it is neither.
        init?(contentType: String?) {
            switch Self.mediaType(contentType) {
            case "application/x-protobuf", "application/protobuf": self = .protobuf
            case "application/json": self = .json
            default: return nil
            }
        }

        static func mediaType(_ contentType: String?) -> String? {
            contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        }

        var contentType: String { self == .json ? "application/json" : "application/x-protobuf" }
    }

    static func export(
        _ request: Request, ingestion: Ingestion, limit: Int, logger: Logger, telemetry: Telemetry = .disabled
    ) async -> Response {
        guard let encoding = Encoding(contentType: request.headers[.contentType]) else {
            return failure(
                .unsupportedMediaType, .invalidArgument,
                "unsupported Content-Type \"\(Encoding.mediaType(request.headers[.contentType]) ?? "")\": send "
                    + "application/x-protobuf or application/json",
                .json)
        }
        do {
            let body = try await readBody(request, limit: limit)
            let batch: SpanBatch
            do {
                // Decoding a big request is CPU work: it runs on the compute pool.
                batch = try await ComputePool.shared.run {
                    switch encoding {
                    case .protobuf: try body.withUnsafeReadableBytes { try OTLPProtobuf.batch(from: $0) }
                    case .json: try body.withUnsafeReadableBytes { try OTLPJSON.batch(from: $0) }
                    }
                }
            } catch {
                throw Failure(.badRequest, .invalidArgument, "cannot decode the request as OTLP \(encoding): \(error)")
            }
            let response = try await telemetry.observeExport(of: batch, transport: .http) {
                try await ingestion.receive(batch, via: .http)
            }
            let bytes: [UInt8] =
                switch encoding {
                case .protobuf: try response.serializedBytes()
                case .json: Array(try OTLPJSON.encode(response))
                }
            return Response(
                status: .ok, headers: [.contentType: encoding.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch let failure as Failure {
            return Self.failure(failure.status, failure.code, failure.message, encoding)
        } catch let error as RPCError {
            return failure(.serviceUnavailable, error.code, error.message, encoding)
        } catch {
            logger.error("OTLP HTTP export failed: \(error)")
            return failure(.internalServerError, .internalError, "\(error)", encoding)
        }
    }

    struct Failure: Error {
        var status: HTTPResponse.Status
        var code: RPCError.Code
        var message: String

        init(_ status: HTTPResponse.Status, _ code: RPCError.Code, _ message: String) {
            self.status = status
            self.code = code
            self.message = message
        }
    }

    /// The body, decompressed when gzip-encoded; more than `limit` bytes (before or after decompression) is a 413.
    static func readBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
        let tooLarge = Failure(
            .contentTooLarge, .resourceExhausted,
            "the request is larger than otlpServer.maxMessageBytes (\(limit) bytes): send smaller batches")
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "", "identity":
            return body
        case "gzip":
            return try gunzip(body, limit: limit, tooLarge: tooLarge)
        case let other?:
            throw Failure(
                .unsupportedMediaType, .invalidArgument, "unsupported Content-Encoding \"\(other)\": send gzip or none")
        }
    }

    /// Inflates through a fixed window, stopping as soon as the output passes `limit` (a gzip bomb stops early).
    static func gunzip(_ body: ByteBuffer, limit: Int, tooLarge: Failure) throws -> ByteBuffer {
        var input = body
        let decompressor = CompressionAlgorithm.gzip().decompressor
        var window = ByteBufferAllocator().buffer(capacity: 1 << 20)
        var output = ByteBufferAllocator().buffer(capacity: min(limit, body.readableBytes * 4))
        func drain() throws {
            guard output.readableBytes + window.readableBytes <= limit else { throw tooLarge }
            output.writeBuffer(&window)
            window.clear()
        }
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            while true {
                do {
                    try input.decompressStream(to: &window, with: decompressor)
                    try drain()
                    break
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    try drain()
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(.badRequest, .invalidArgument, "the gzip body cannot be decompressed: \(error)")
        }
        return output
    }

    static func failure(
        _ status: HTTPResponse.Status, _ code: RPCError.Code, _ message: String, _ encoding: Encoding
    ) -> Response {
        let bytes: [UInt8]
        switch encoding {
        case .protobuf:
            bytes = (try? GoogleRPCStatus(code: code, message: message, details: []).serializedBytes()) ?? []
        case .json:
            let object: [String: Any] = ["code": code.rawValue, "message": message]
            bytes = Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
        }
        return Response(
            status: status, headers: [.contentType: encoding.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
