import Foundation
import HTTPTypes
import Hummingbird
import TracetestModel
import TracetestWebUI

/// Rejects an `X-Tracetest-TenantID` that is not a UUID, as Tracetest does; a valid one is accepted and ignored
/// (this server has a single tenant).
struct TenantHeaderMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    static let header = HTTPField.Name("X-Tracetest-TenantID")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let tenant = request.headers[Self.header], !tenant.isEmpty, UUID(uuidString: tenant) == nil {
            return Response(
                status: .badRequest,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "invalid tenant id: \(tenant)\n"))
            )
        }
        return try await next(request, context)
    }
}

/// Answers routes that do not exist with a JSON 404 naming the method and path.
struct UnknownRouteMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return OpenAPIResponse.json(
                .object([
                    "code": 404,
                    "error": .string("no route for \(request.method) \(request.uri.path)"),
                ]),
                status: .notFound
            )
        }
    }
}

/// Refuses a URL holding a NUL character (`%00`) in its path or query with a 400: no id or search text can hold one
/// (SQLite cuts text there, PostgreSQL refuses it), the same rule as for bodies.
struct NULInURLMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let url = request.uri.string
        guard url.utf8.contains(0) || url.range(of: "%00") != nil || url.range(of: "%00".uppercased()) != nil else {
            return try await next(request, context)
        }
        return OpenAPIResponse.json(
            .object([
                "code": 400,
                "error": .string(
                    "the URL contains a NUL character (%00), which no id or search text can hold; remove it"),
            ]),
            status: .badRequest)
    }
}

/// Refuses requests that change something when a browser sends them from another site (`Sec-Fetch-Site:
/// cross-site`, or an `Origin` that is not the server's own), so a web page a user opens cannot create, change,
/// delete or run anything. Clients that are not browsers send neither header.
struct CrossSiteRequestMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    static let changingMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.changingMethods.contains(request.method), let origin = Self.crossSiteOrigin(of: request.head) else {
            return try await next(request, context)
        }
        return OpenAPIResponse.json(
            .object([
                "code": 403,
                "error": .string(
                    "cross-site request refused: \(request.method) from \(origin) (a page of another site cannot "
                        + "change this server; call the API from the CLI or a server)"),
            ]),
            status: .forbidden)
    }

    /// The other site a browser says the request comes from, or nil.
    static func crossSiteOrigin(of request: HTTPRequest) -> String? {
        let site = request.headerFields[HTTPField.Name("Sec-Fetch-Site")!]
        let origin = request.headerFields[.origin]
        if site == "cross-site" { return origin ?? "another site" }
        guard let origin else { return nil }
        // HTTP/1's Host header is the request's authority. Hosts are compared without ports: another port of the
        // same host is the same site to a browser, and WebSocket clients send `ws://host` without the port.
        guard let url = URL(string: origin), let originHost = url.host?.lowercased(),
            let host = request.authority.flatMap({ URL(string: "http://\($0)")?.host?.lowercased() })
        else { return origin }
        return originHost == host ? nil : origin
    }
}

/// Answers a GET of a web UI page (`index.html`) or of one of its files (`static/…`); every other request goes on.
struct WebUIMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let webUI: WebUI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get, let asset = webUI.asset(forPath: request.uri.path) else {
            return try await next(request, context)
        }
        return Response(
            status: .ok,
            headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }
}

/// With `server.auth.token` set: the API and the WebSocket answer 401 unless the request carries
/// `Authorization: Bearer <token>` (the WebSocket also takes `?token=<token>`, as browsers cannot set its headers).
/// The health check, the version and the web UI's files stay open.
struct APITokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: BearerToken
    let pathPrefix: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard Self.isProtected(request.uri.path, pathPrefix: pathPrefix),
            !Self.carriesToken(request.head, token, pathPrefix: pathPrefix)
        else { return try await next(request, context) }
        let reason = request.headers[.authorization] == nil ? "no API token was sent" : "the API token is wrong"
        return OpenAPIResponse.json(
            .object([
                "code": 401,
                "error": .string(
                    "\(reason): this server requires Authorization: Bearer <token> (server.auth.token); with the "
                        + "CLI: tracetest configure --token <token>, or --token / TRACETEST_TOKEN"),
            ]),
            status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// The API's paths and the WebSocket's, except the health check and the version, read by their components as the
    /// router reads them (`//api/tests` is the API too).
    static func isProtected(_ path: String, pathPrefix: String) -> Bool {
        let prefix = pathPrefix.split(separator: "/")
        var components = path.split(separator: "/").filter { $0 != "." }
        if !prefix.isEmpty, components.starts(with: prefix) { components.removeFirst(prefix.count) }
        switch components.first {
        case "ws": return true
        case "api": return !(components.count == 2 && components[1].hasPrefix("version."))
        default: return false
        }
    }

    /// Whether the request carries the token: the `Authorization` header, or for the WebSocket the `token` query
    /// parameter.
    static func carriesToken(_ request: HTTPRequest, _ token: BearerToken, pathPrefix: String) -> Bool {
        if token.accepts(authorization: request.headerFields[.authorization]) { return true }
        guard let target = request.path, let query = target.firstIndex(of: "?"),
            RunUpdatesSocket.socketPaths(pathPrefix: pathPrefix).contains(String(target[..<query]))
        else { return false }
        let items = URLComponents(string: String(target[query...]))?.queryItems ?? []
        return items.contains { $0.name == "token" && token.matches($0.value ?? "") }
    }
}
