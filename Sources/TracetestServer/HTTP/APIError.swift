import Hummingbird
import TracetestModel
import TracetestStorage

/// A request the API refuses, with the status and the message the client sees.
struct APIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func notFound() -> APIError { APIError(.notFound, "") }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    static func cannotParseBody(_ error: WireDecodingError) -> APIError {
        APIError(.badRequest, "cannot parse body: \(error)")
    }

    var description: String { "\(status.code) \(message)" }

    /// The one mapping from errors to statuses: API errors keep theirs, duplicate ids and rule violations are
    /// 400, anything else is a 500 saying what failed.
    static func from(_ error: any Error, whileDoing action: @autoclosure () -> String) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as RepositoryError: return .badRequest("\(action()): \(error)")
        case let error as ValidationError: return .badRequest(error.message)
        case let error as WireDecodingError: return .cannotParseBody(error)
        default: return APIError(.internalServerError, "\(action()): \(error)")
        }
    }
}
