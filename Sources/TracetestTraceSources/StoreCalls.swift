import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftProtobuf
import TracetestModel

/// How long one call to a store may take, connection included.
let storeCallTimeout = Duration.seconds(15)
/// The largest answer read from a store unless its settings say otherwise (Tempo's `maxResponseBytes`), 256 MB
/// (upstream reads at most 10 MB from Tempo): a bigger trace fails the run with a message saying so.
let storeAnswerLimit = 256 << 20

extension TraceSourceError {
    /// An answer over the store's limit, said as people read sizes (`256 MB`, `10 KB`, `1500 bytes`).
    static func tooBig(_ storeName: String, limit: Int) -> TraceSourceError {
        let size =
            limit >= 1 << 20 && limit % (1 << 20) == 0
            ? "\(limit >> 20) MB" : limit >= 1 << 10 && limit % (1 << 10) == 0 ? "\(limit >> 10) KB" : "\(limit) bytes"
        return TraceSourceError(
            .invalidAnswer,
            "\(storeName) answered more than \(size); the trace is too big to read"
                + (storeName == "Tempo" ? " (raise tempo.maxResponseBytes)" : ""))
    }
}

/// `host:port` (or `[v6]:port`, or a URL's authority) split; nil when there is no port.
func hostAndPort(_ endpoint: String) -> (host: String, port: Int)? {
    var text = endpoint
    if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
    if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host.isEmpty ? nil : (host, port)
}

// MARK: gRPC

/// A server-streaming or unary call to a store's gRPC API; answers are collected, errors classified.
struct StoreGRPCCall {
    let storeName: String
    let settings: GRPCClientSettings
    let clients: StoreGRPCClients
    var answerLimit = storeAnswerLimit

    func call<Request: SwiftProtobuf.Message, Answer: SwiftProtobuf.Message>(
        service: String, method: String, request: Request, answer: Answer.Type
    ) async throws(TraceSourceError) -> [Answer] {
        let endpoint = settings.endpoint ?? ""
        guard let (host, port) = hostAndPort(endpoint) else {
            throw TraceSourceError(
                .failed, "\(storeName) endpoint \"\(endpoint)\" is not host:port (for example jaeger:16685)")
        }
        do {
            let files = settings.tls?.settings
            let key = StoreGRPCClients.Key(
                host: host, port: port, plaintext: settings.tls?.insecure == true,
                skipVerify: settings.tls?.insecureSkipVerify == true, caFile: files?.cAFile.nonEmpty,
                certFile: files?.certFile.nonEmpty, keyFile: files?.keyFile.nonEmpty,
                serverName: settings.tls?.serverName.nonEmpty)
            let transport = {
                var config = HTTP2ClientTransport.Posix.Config.defaults
                config.http2.authority = key.serverName
                return try HTTP2ClientTransport.Posix(
                    target: .dns(host: host, port: port),
                    transportSecurity: key.plaintext
                        ? .plaintext
                        : .tls { configuration in
                            if key.skipVerify { configuration.serverCertificateVerification = .noVerification }
                            if let ca = key.caFile {
                                configuration.trustRoots = .certificates([.file(path: ca, format: .pem)])
                            }
                            if let certificate = key.certFile, let privateKey = key.keyFile {
                                configuration.certificateChain = [.file(path: certificate, format: .pem)]
                                configuration.privateKey = .file(path: privateKey, format: .pem)
                            }
                        },
                    config: config)
            }
            var metadata = Metadata()
            for (key, value) in settings.headers ?? [:] { metadata.replaceOrAddString(value, forKey: key.lowercased()) }
            var options = CallOptions.defaults
            options.timeout = storeCallTimeout
            options.waitForReady = false
            // grpc-swift's NIO transport bounds the messages a client receives by `maxRequestMessageBytes`.
            options.maxRequestMessageBytes = answerLimit
            options.maxResponseMessageBytes = answerLimit
            if let compression = settings.compression, ["gzip", "zlib", "deflate"].contains(compression) {
                options.compression = compression == "gzip" ? .gzip : .deflate
            }
            return try await clients.withClient(key, make: transport) { client in
                try await client.serverStreaming(
                    request: ClientRequest(message: request, metadata: metadata),
                    descriptor: MethodDescriptor(fullyQualifiedService: service, method: method),
                    serializer: ProtobufSerializer<Request>(), deserializer: ProtobufDeserializer<Answer>(),
                    options: options
                ) { response in
                    var answers: [Answer] = []
                    for try await answer in response.messages { answers.append(answer) }
                    return answers
                }
            }
        } catch let error as RPCError {
            throw classify(error, endpoint: endpoint)
        } catch {
            throw TraceSourceError(.unreachable, "cannot reach \(storeName) at \(endpoint): \(error)")
        }
    }

    private func classify(_ error: RPCError, endpoint: String) -> TraceSourceError {
        let message = error.message
        if message.lowercased().contains("trace not found") || error.code == .notFound {
            return TraceSourceError(.notFound, "trace not found")
        }
        // An answer over the limit: grpc-swift's NIO transport says `internalError` "… resourceExhausted".
        if error.code == .resourceExhausted || message.contains("resourceExhausted") {
            return .tooBig(storeName, limit: answerLimit)
        }
        switch error.code {
        case .unauthenticated, .permissionDenied:
            return TraceSourceError(
                .authentication, "\(storeName) at \(endpoint) refused the credentials (\(error.code)): \(message)")
        case .unavailable where error.metadata.isEmpty, .deadlineExceeded:
            return TraceSourceError(.unreachable, "cannot reach \(storeName) at \(endpoint): \(message)")
        default:
            return TraceSourceError(.failed, "\(storeName) at \(endpoint) answered \(error.code): \(message)")
        }
    }
}

// MARK: HTTP

/// The TLS of an HTTP store: `settings` files (a CA instead of the system's roots, a client certificate and key) and
/// `insecureSkipVerify`; or, for Elasticsearch and OpenSearch, `certificate` (the CA as PEM text). Nil for the
/// default.
func storeTLS(
    _ tls: TLSSettings?, caPEM: String? = nil, skipVerify: Bool = false, storeName: String
) throws(TraceSourceError) -> TLSConfiguration? {
    let files = tls?.settings
    let skip = skipVerify || tls?.insecureSkipVerify == true
    guard skip || caPEM.nonEmpty != nil || files?.cAFile.nonEmpty != nil || files?.certFile.nonEmpty != nil else {
        return nil
    }
    var configuration = TLSConfiguration.makeClientConfiguration()
    do {
        if skip { configuration.certificateVerification = .none }
        if let pem = caPEM.nonEmpty {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
        } else if let file = files?.cAFile.nonEmpty {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        if let certificate = files?.certFile.nonEmpty, let key = files?.keyFile.nonEmpty {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
    } catch {
        throw TraceSourceError(.failed, "the \(storeName) data store's TLS certificate or key cannot be read: \(error)")
    }
    return configuration
}

/// A call to a store's HTTP API on the shared client; answers other than 2xx are classified.
struct StoreHTTPCall {
    let storeName: String
    let client: HTTPClient
    var answerLimit = storeAnswerLimit
    /// TLS for this store when it is not the default (the system's roots, certificates verified).
    var tls: TLSConfiguration? = nil

    struct Answer {
        var status: HTTPResponseStatus
        var contentType: String
        var body: ByteBuffer
    }

    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws(TraceSourceError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        request.tlsConfiguration = tls
        do {
            let response = try await client.execute(request, timeout: .seconds(storeCallTimeout.components.seconds))
            let answer = Answer(
                status: response.status, contentType: response.headers.first(name: "content-type") ?? "",
                body: try await response.body.collect(upTo: answerLimit))
            switch answer.status.code {
            case 200..<300: return answer
            case 401, 403:
                throw TraceSourceError(
                    .authentication,
                    "\(storeName) at \(Self.origin(url)) refused the credentials (HTTP \(answer.status.code))")
            case 404:
                // Elasticsearch and OpenSearch answer 404 for an index that does not exist: a setting to fix, not a
                // trace that has not arrived yet.
                if String(buffer: answer.body).contains("index_not_found_exception") {
                    throw TraceSourceError(
                        .failed,
                        "\(storeName) at \(Self.origin(url)) has no such index: check the data store's index "
                            + "(\(Self.excerpt(answer.body)))")
                }
                throw TraceSourceError(.notFound, "trace not found")
            case 429:
                throw TraceSourceError(.rateLimited, "\(storeName) at \(Self.origin(url)) asks to slow down (HTTP 429)")
            default:
                throw TraceSourceError(
                    .failed,
                    "\(storeName) at \(Self.origin(url)) answered HTTP \(answer.status.code): "
                        + Self.excerpt(answer.body))
            }
        } catch let error as TraceSourceError {
            throw error
        } catch is NIOTooManyBytesError {
            throw .tooBig(storeName, limit: answerLimit)
        } catch {
            throw TraceSourceError(.unreachable, "cannot reach \(storeName) at \(Self.origin(url)): \(error)")
        }
    }

    /// The answer as JSON; an answer that is not JSON (an HTML error page, say) is an invalid answer.
    func json(_ answer: Answer) throws(TraceSourceError) -> JSONValue {
        guard let value = JSONParser.parse(String(buffer: answer.body)) else {
            throw TraceSourceError(
                .invalidAnswer, "\(storeName) answered something that is not JSON: \(Self.excerpt(answer.body))")
        }
        return value
    }

    /// Scheme, host and port of `url`: what may be shown (no path, query or credentials).
    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "the store" }
        return "\(components.scheme ?? "http")://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// The start of a body, for error messages.
    static func excerpt(_ body: ByteBuffer) -> String {
        let text = String(buffer: body.getSlice(at: body.readerIndex, length: min(body.readableBytes, 200)) ?? body)
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.isEmpty ? "(empty body)" : "\"\(line)\(body.readableBytes > 200 ? "…" : "")\""
    }
}

/// `configured` when it is set, else `fallback`, without trailing slashes: the base a store's paths are added to.
func baseURL(_ configured: String?, else fallback: String) -> String {
    var url = (configured ?? "").isEmpty ? fallback : configured ?? ""
    while url.hasSuffix("/") { url.removeLast() }
    return url
}

extension String? {
    /// The text, or nil when it is empty.
    var nonEmpty: String? { (self ?? "").isEmpty ? nil : self }
}

/// Basic authentication's header value.
func basicAuthorization(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}
