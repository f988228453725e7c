import Hummingbird
import TracetestEngine
import TracetestModel
import TracetestStorage

/// A request the API refuses, with the status and the message the client sees.
struct APIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    /// A body other than the message, for errors that carry data (the 422 of missing variables).
    var body: WireValue?

    init(_ status: HTTPResponse.Status, _ message: String, body: WireValue? = nil) {
        self.status = status
        self.message = message
        self.body = body
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
        case let error as RunRequestError:
            switch error {
            case .testNotFound, .testSuiteNotFound, .variableSetNotFound, .runNotFound:
                return APIError(.notFound, error.description)
            case .unknownGate: return .badRequest(error.description)
            case .missingVariables(let missing):
                return APIError(
                    .unprocessableContent, error.description, body: try? WireEncoder().encode(missing))
            }
        default: return APIError(.internalServerError, "\(action()): \(error)")
        }
    }
}
