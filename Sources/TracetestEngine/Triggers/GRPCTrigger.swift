import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import TracetestModel
import TracetestProto

/// gRPC triggers (engine-telemetry.md §1.6): the `.proto` text parsed at run time, or, when it is empty, the
/// target's server reflection (v1, then v1alpha); the JSON request encoded for the method's input type; one call in
/// plaintext, bounded by 30 s, carrying the user metadata and then the trace context. A non-OK status is a result
/// (the specs judge it); what keeps the call from being made or answered is a trigger failure.
struct GRPCTrigger: Sendable {
    /// How long one call may take (each reflection request is a call of its own).
    static let timeout = Duration.seconds(30)

    func fire(_ request: GRPCRequest, traceID: TraceID, spanID: SpanID) async -> TriggerResult {
        let address = request.address ?? ""
        do {
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...])
            else { throw GRPCTriggerError("address \"\(address)\" is not host:port (for example localhost:8080)") }
            // `[::1]:50051`: an IPv6 address is written in brackets before its port.
            var host = String(address[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: host, port: port), transportSecurity: .plaintext)
            return try await withGRPCClient(transport: transport) { client in
                try await Self.call(request, client: client, address: address, traceID: traceID, spanID: spanID)
            }
        } catch {
            let connection = error.isConnectionFailure
            return TriggerResult(
                type: "grpc",
                error: .init(
                    connectionError: connection, runningOnContainer: connection && HTTPTrigger.runningOnContainer,
                    targetsLocalhost: connection
                        && (address.hasPrefix("localhost:") || address.hasPrefix("127.0.0.1:")),
                    message: connection ? "could not connect to \(address): \(Self.reason(error))" : "\(error)"))
        }
    }

    private static func call(
        _ request: GRPCRequest, client: GRPCClient<HTTP2ClientTransport.Posix>, address: String, traceID: TraceID,
        spanID: SpanID
    ) async throws -> TriggerResult {
        let methodName = request.method ?? ""
        let schema: ProtoSchema
        if let text = request.protobufFile, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                schema = try ProtoSchema(parsing: text)
            } catch {
                throw GRPCTriggerError("the protobufFile cannot be read: \(error)")
            }
        } else {
            guard let service = GRPCRequest.methodParts(methodName)?.service else {
                throw GRPCTriggerError("method \"\(methodName)\" is not written as package.Service.Method")
            }
            schema = try await GRPCReflection.schema(containing: service, client: client, address: address)
        }
        let method: ProtoMethod
        let message: [UInt8]
        do {
            method = try schema.method(named: methodName)
            let json = request.request?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            message = try schema.encode(json: json.isEmpty ? "{}" : json, as: method.inputType)
        } catch {
            throw GRPCTriggerError("\(error)")
        }
        var metadata = Metadata()
        for pair in request.metadata ?? [] where !pair.key.isEmpty {
            let key = pair.key.lowercased()
            // Binary metadata (`-bin` keys) is written as base64 text, as grpcurl takes it.
            if key.hasSuffix("-bin"), let bytes = Data(base64Encoded: pair.value) {
                metadata.replaceOrAddBinary([UInt8](bytes), forKey: key)
            } else {
                metadata.replaceOrAddString(pair.value, forKey: key)
            }
        }
        if let auth = request.auth { Self.apply(auth, to: &metadata) }
        for header in Propagation.headers(traceID: traceID, spanID: spanID) {
            metadata.replaceOrAddString(header.value, forKey: header.key.lowercased())
        }
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        let descriptor = MethodDescriptor(fullyQualifiedService: method.service, method: method.name)
        let outcome = try await client.bidirectionalStreaming(
            request: StreamingClientRequest(metadata: metadata) { writer in try await writer.write(message) },
            descriptor: descriptor, serializer: RawBytes(), deserializer: RawBytes(), options: options
        ) { response in
            var last: [UInt8]?
            var headers: Metadata = [:]
            switch response.accepted {
            case .success(let contents):
                headers = contents.metadata
                do {
                    for try await part in contents.bodyParts {
                        switch part {
                        case .message(let bytes): last = bytes
                        case .trailingMetadata(let trailing): headers.add(contentsOf: trailing)
                        }
                    }
                } catch let error as RPCError {
                    return CallOutcome(status: error, metadata: headers, message: last)
                }
                return CallOutcome(status: nil, metadata: headers, message: last)
            case .failure(let error):
                return CallOutcome(status: error, metadata: error.metadata, message: nil)
            }
        }
        if let error = outcome.status, error.isConnectionFailure { throw error }
        var body = ""
        if let bytes = outcome.message {
            do {
                body = try schema.decodeToJSON(bytes, as: method.outputType)
            } catch {
                throw GRPCTriggerError(
                    "the response of \(method.path) cannot be read as \(method.outputType): \(error)")
            }
        }
        return TriggerResult(
            type: "grpc",
            grpc: .init(
                statusCode: outcome.status.map { Int($0.code.rawValue) } ?? 0,
                metadata: outcome.metadata.compactMap { key, value in
                    guard case .string(let text) = value, !key.hasPrefix(":") else { return nil }
                    return KeyValue(key: key, value: text)
                },
                body: body))
    }

    /// `auth` as metadata, as the HTTP trigger sends it as headers: an API key as its key (`in` is ignored), basic
    /// credentials, or the bearer token as it is, in `authorization`.
    static func apply(_ auth: Authentication, to metadata: inout Metadata) {
        switch auth.type {
        case "apiKey":
            guard let key = auth.apiKey?.key, !key.isEmpty else { return }
            metadata.replaceOrAddString(auth.apiKey?.value ?? "", forKey: key.lowercased())
        case "basic":
            let credentials = "\(auth.basic?.username ?? ""):\(auth.basic?.password ?? "")"
            metadata.replaceOrAddString(
                "Basic " + Data(credentials.utf8).base64EncodedString(), forKey: "authorization")
        case "bearer":
            metadata.replaceOrAddString(auth.bearer?.token ?? "", forKey: "authorization")
        default:
            return
        }
    }

    /// Why a connection failed, from the innermost cause: "connection refused: …" rather than the layers around it.
    private static func reason(_ error: any Error) -> String {
        var cause: any Error = error
        while true {
            if let io = cause as? IOError { return HTTPTrigger.reason(io) }
            if let rpc = cause as? RPCError, let inner = rpc.cause {
                cause = inner
            } else if let runtime = cause as? RuntimeError, let inner = runtime.cause {
                cause = inner
            } else {
                break
            }
        }
        return (cause as? RPCError)?.message ?? "\(cause)"
    }

    struct CallOutcome: Sendable {
        /// Nil when the status is OK.
        var status: RPCError?
        var metadata: Metadata
        var message: [UInt8]?
    }
}

/// Messages as their bytes, encoded and decoded by ``ProtoSchema``.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// Why a gRPC trigger could not be fired or answered.
struct GRPCTriggerError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

extension Error {
    fileprivate var isConnectionFailure: Bool { (self as? RPCError)?.isConnectionFailure ?? false }
}

extension RPCError {
    /// UNAVAILABLE before the server said anything: the connection could not be made.
    fileprivate var isConnectionFailure: Bool {
        code == .unavailable && metadata.isEmpty
    }
}
