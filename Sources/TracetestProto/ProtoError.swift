/// Why a `.proto` schema, a JSON request or a protobuf response could not be handled.
package struct ProtoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, without the location.
    package var message: String
    /// The `.proto` file of a syntax or schema error.
    package var fileName: String?
    /// The 1-based line of a syntax or schema error.
    package var line: Int?
    /// The 1-based column (in characters) of a syntax or schema error.
    package var column: Int?

    /// An error, with its place in a `.proto` file when it has one.
    package init(_ message: String, fileName: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.fileName = fileName
        self.line = line
        self.column = column
    }

    /// `file:line:column: message` when the error has a place, else the message.
    package var description: String {
        guard let fileName, let line, let column else { return message }
        return "\(fileName):\(line):\(column): \(message)"
    }
}

// A place in a `.proto` text.
struct SourceLocation: Sendable, Equatable {
    var fileName: String
    var line: Int
    var column: Int
}

extension ProtoError {
    init(_ message: String, at location: SourceLocation?) {
        self.init(message, fileName: location?.fileName, line: location?.line, column: location?.column)
    }
}
