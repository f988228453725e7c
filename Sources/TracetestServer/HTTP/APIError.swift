import Hummingbird
import TracetestLanguage
import TracetestModel

/// An error answer of the API: its status, the message the client sees, and a body for errors that carry data
/// (the 422 of missing variables). ``init(_:)`` is the one mapping from errors to statuses; ``ErrorMiddleware``
/// applies it to whatever a route throws.
struct APIError: HTTPResponseError, CustomStringConvertible {
    /// How a family of routes writes errors: the resource routes as `{code, error}` in the negotiated encoding
    /// (an empty body for 404, which the CLI relies on), the other ("OpenAPI") routes as a JSON string.
    enum Style: Sendable {
        case resource
        case openAPI
    }

    var status: HTTPResponse.Status
    var message: String
    var body: WireValue?
    /// Seconds after which the request may succeed (503).
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ message: String, body: WireValue? = nil) {
        self.status = status
        self.message = message
        self.body = body
    }

    static func notFound() -> APIError { APIError(.notFound, "") }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// How long a client should wait before retrying while the database is unavailable.
    static let retryAfterSeconds = 5

    /// The answer for `error`: API errors keep their status; a ``TracetestError`` gets its category's; anything
    /// else is a 500 that says no more than that (the log has the cause).
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as WireDecodingError:
            self.init(.badRequest, "cannot parse body: \(error)")
        case let error as any TracetestError:
            switch error.category {
            case .invalidInput: self.init(.badRequest, error.description)
            case .notFound: self.init(.notFound, error.description)
            case .notProcessable: self.init(.unprocessableContent, error.description, body: error.details)
            case .unavailable: self = Self.unavailable
            case .internalFailure: self = Self.internalFailure
            }
        case is CancellationError:
            // The request was cut short: the client went away, or the server is shutting down.
            self.init(.serviceUnavailable, "the request was cut short (the server may be stopping); try again")
            retryAfter = Self.retryAfterSeconds
        case let error as LanguageError:
            self.init(.badRequest, "\(error)\n\(error.excerpt)")
        case let error as HTTPError:
            self.init(error.status, error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            self.init(error.status, error.status.reasonPhrase)
        default:
            self = Self.internalFailure
        }
    }

    static let internalFailure = APIError(
        .internalServerError, "internal error: the request could not be completed; the server log says why")

    static var unavailable: APIError {
        var error = APIError(
            .serviceUnavailable,
            "the database is unavailable, try again in a few seconds; the server log says why")
        error.retryAfter = retryAfterSeconds
        return error
    }

    var description: String { "\(status.code) \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response(.openAPI, to: request)
    }

    func response(_ style: Style, to request: Request) -> Response {
        var response: Response
        switch style {
        case .resource:
            response = WireFormat.ofResponse(request).errorResponse(status, message)
        case .openAPI:
            response = OpenAPIResponse.json(body ?? .string(message), status: status)
        }
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Answers whatever a route throws with ``APIError/init(_:)`` in the routes' style, and logs every 5xx with the
/// route and its cause.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let style: APIError.Style

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No such route: the router's answer (`UnknownRouteMiddleware`).
            throw error
        } catch {
            var answer = APIError(error)
            if answer.status.code >= 500 {
                // The body names the log line that has the cause.
                let reference = String(UInt64.random(in: 1...UInt64.max), radix: 16)
                let route = context.endpointPath ?? request.uri.path
                context.logger.error(
                    "\(request.method) \(route) answered \(answer.status.code) (reference \(reference)): \(error)")
                answer.message += " (reference \(reference))"
            }
            return answer.response(style, to: request)
        }
    }
}
