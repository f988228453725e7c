import Foundation
import HTTPTypes
import Hummingbird

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
