/// Text with `${…}` expressions, as trigger fields are written (`http://${var:HOST}/api`, language.md §9.4): every
/// `${…}` is replaced by its rendered value; everything else is kept as written.
package struct Template: Sendable, Equatable {
    package let text: String
    let segments: [StringLiteral.Segment]

    package init(parsing text: String) throws(LanguageError) {
        self.text = text
        self.segments = try Expression.parse(text) { source throws(SyntaxIssue) in
            try ExpressionParser.segments(Array(source.scalars), offsets: Array(0...source.scalars.count), depth: 0)
        }
    }

    /// The rendered text; with `variables` nil, unknown variables render as the empty text.
    package func render(in context: EvaluationContext) throws(EvaluationError) -> String {
        try Resolver(context: context).render(segments)
    }

    /// The terms of the `${…}` parts, in order.
    package var tokens: [TermToken] {
        var tokens: [TermToken] = []
        TermToken.collect(segments, into: &tokens)
        return tokens
    }
}
