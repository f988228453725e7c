/// A compiled expression (an output `value`, the inside of `${…}`): no comparator. Parse once, evaluate many times.
package struct Expression: Sendable, Equatable {
    package let text: String
    let node: ExpressionNode

    package init(parsing text: String) throws(LanguageError) {
        self.text = text
        self.node = try Self.parse(text) { source throws(SyntaxIssue) in try ExpressionParser.expression(source) }
    }

    // Parses `text` with `body`, turning a failure into a positioned `LanguageError`.
    static func parse<T>(_ text: String, _ body: (ExpressionParser.Source) throws(SyntaxIssue) -> T)
        throws(LanguageError) -> T
    {
        let scalars = Array(text.unicodeScalars)
        do throws(SyntaxIssue) {
            return try body(ExpressionParser.Source(scalars: scalars[...], offsets: nil))
        } catch {
            throw LanguageError(
                kind: .expression, input: text, scalars: scalars, offset: error.offset, message: error.message)
        }
    }

    package func evaluate(in context: EvaluationContext) throws(EvaluationError) -> Value {
        try Resolver(context: context).value(of: node)
    }

    /// The value as text (`Value.rendered`).
    package func resolve(in context: EvaluationContext) throws(EvaluationError) -> String {
        try evaluate(in: context).rendered
    }

    /// The terms of the expression in the order they are written (interpolations after their string).
    package var tokens: [TermToken] { TermToken.collect(from: node) }
}
