/// Why an expression or assertion did not pass, with Tracetest's wording (language.md §11).
package struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The comparison was false (`no match`).
        case noMatch
        /// A reference could not be resolved (`resolution error: …`): run events report these as warnings.
        case resolution
        /// The selector or assertion does not parse.
        case syntax
        /// A filter failed (`json_path: invalid JSON input`).
        case filter
        /// A function call failed (missing or mistyped arguments).
        case function
        /// Arithmetic on values that do not support it.
        case arithmetic
        /// The two sides cannot be compared (`cannot parse "a" as integer`).
        case comparison
        /// An unknown `tracetest.selected_spans.*` attribute.
        case metaAttribute
    }

    package let code: Code
    /// The text after the `resolution error: ` prefix for resolution errors; the whole message otherwise.
    package let detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var message: String { code == .resolution ? "resolution error: " + detail : detail }
    package var description: String { message }

    static let noMatch = EvaluationError(.noMatch, "no match")

    /// The parse error's message, then the line of the mistake with a caret under it.
    static func syntax(_ error: LanguageError) -> EvaluationError {
        EvaluationError(.syntax, error.description + "\n" + error.excerpt)
    }
}
