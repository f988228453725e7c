import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Yams

/// One answer of the server.
struct APIResponse: Sendable {
    var status: Int
    var body: String
    var contentType: String

    var isSuccess: Bool { (200..<300).contains(status) }
}

/// HTTP to the Tracetest API at `base` (e.g. `http://localhost:11633/api`): no redirects, optional TLS
/// verification, every request marked `x-source: cli` (cli.md §4).
final class APIClient: Sendable {
    let base: String
    let console: Console
    /// Sent as `Authorization: Bearer <token>` (a server with `server.auth.token`); nil or empty: no header.
    let token: String?
    private let http: HTTPClient

    init(base: String, skipVerify: Bool, token: String? = nil, console: Console) {
        self.base = base
        self.console = console
        self.token = token
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(300)),
            ignoreUncleanSSLShutdown: true
        )
        if skipVerify {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends a request to `base + path`; a transport failure is an error saying which server could not be reached.
    func send(
        _ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = []
    ) async throws(CLIError) -> APIResponse {
        let url = base + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "x-source", value: "cli")
        if let token, !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        console.debug(
            "\(method.rawValue) \(url)\n\(headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))\n\(body ?? "")")
        do {
            let response = try await http.execute(request, deadline: .now() + .minutes(10))
            let buffer = try await response.body.collect(upTo: 1 << 30)
            let answer = APIResponse(
                status: Int(response.status.code),
                body: String(buffer: buffer),
                contentType: response.headers.first(name: "content-type") ?? "")
            console.debug("\(answer.status) \(method.rawValue) \(url)\n\(answer.body.prefix(4000))")
            guard answer.status != 401 else {
                throw CLIError(
                    "user is not authenticated on \(base): \(answer.errorText)",
                    hint: (token ?? "").isEmpty
                        ? "The server requires an API token: run 'tracetest configure --token <token>', or pass "
                            + "--token or set TRACETEST_TOKEN."
                        : "The token sent was refused: check it with the server's server.auth.token.")
            }
            return answer
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(
                "cannot reach the Tracetest server at \(url): \(Self.describe(error))",
                hint: "Check that the server is running and that the URL is right "
                    + "(set it with 'tracetest configure --server-url <url>' or pass --server-url).")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}

extension APIResponse {
    /// The server's error text: `{code, error}`, `{status, detail}`, a JSON string, or the body itself.
    var errorText: String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "HTTP \(status)" }
        if let value = try? OrderedJSON.parse(trimmed) {
            if let text = value["error"]?.stringValue, !text.isEmpty { return text }
            if let detail = value["detail"]?.stringValue, !detail.isEmpty { return detail }
            if let text = value.stringValue { return text }
        }
        // YAML error bodies: `code: 400`, `error: …` (a block scalar when the message has several lines).
        if let mapping = (try? Yams.load(yaml: trimmed)) as? [String: Any], let text = mapping["error"] as? String,
            !text.isEmpty
        {
            return text
        }
        return trimmed
    }
}
