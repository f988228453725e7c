/// The resolve API (language.md §5.6): an assertion renders as `left comparator right`, an expression as its value.
package enum StatementResolution {
    /// A syntax error is the one of the reading (assertion or expression) that got further.
    package static func resolve(_ text: String, in context: EvaluationContext) throws(EvaluationError) -> String {
        switch Result(catching: { () throws(LanguageError) in try Assertion.cached(text) }) {
        case .success(let assertion):
            return try assertion.resolve(in: context)
        case .failure(let asAssertion):
            switch Result(catching: { () throws(LanguageError) in try Expression.cached(text) }) {
            case .success(let expression):
                return try expression.resolve(in: context)
            case .failure(let asExpression):
                throw .syntax(asExpression.offset >= asAssertion.offset ? asExpression : asAssertion)
            }
        }
    }
}
