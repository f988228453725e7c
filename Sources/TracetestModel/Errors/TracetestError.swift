/// An error the API reports to its client: what kind of failure it is, which decides the HTTP status, and a
/// description that says what is wrong and how to fix it.
package protocol TracetestError: Error, CustomStringConvertible {
    var category: ErrorCategory { get }
    /// A structured body for clients that read one (the missing variables of a run), else nil.
    var details: WireValue? { get }
    /// What a client may be told: the description without internals (the statement that failed, say).
    var clientMessage: String { get }
}

extension TracetestError {
    package var details: WireValue? { nil }
    package var clientMessage: String { description }
}

/// What a client may be told of `error` (a run's `lastErrorState`, say): a ``TracetestError``'s
/// ``TracetestError/clientMessage``, else its description.
package func clientMessage(of error: any Error) -> String {
    (error as? any TracetestError)?.clientMessage ?? "\(error)"
}

/// The kinds of failure a client sees; the HTTP API maps each to one status.
package enum ErrorCategory: Sendable, Equatable {
    /// The request is malformed or invalid (400).
    case invalidInput
    /// What the request names does not exist (404).
    case notFound
    /// The request is valid but cannot be carried out on what it names, as it is now (422).
    case notProcessable
    /// A dependency (the database) cannot be reached; the same request may succeed later (503).
    case unavailable
    /// A fault of the server (500); the client is told no more than that.
    case internalFailure
}

extension ValidationError: TracetestError {
    package var category: ErrorCategory { .invalidInput }
}

extension WireDecodingError: TracetestError {
    package var category: ErrorCategory { .invalidInput }
}
