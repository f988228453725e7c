/// A compiled assertion (`<expression> <comparator> <expression>`). Parse once, evaluate per span.
package struct Assertion: Sendable, Equatable {
    package let text: String
    package let comparator: Comparator
    let left: ExpressionNode
    let right: ExpressionNode

    package init(parsing text: String) throws(LanguageError) {
        let (left, comparator, right) = try Expression.parse(text) { source throws(SyntaxIssue) in
            try ExpressionParser.statement(source)
        }
        self.text = text
        self.left = left
        self.right = right
        self.comparator = comparator
        var names: [String] = []
        for token in TermToken.collect(from: left) + TermToken.collect(from: right)
        where token.kind == .attribute && !names.contains(token.identifier) {
            names.append(token.identifier)
        }
        self.attributeNames = names
    }

    // The attributes the assertion reads (`attr:` names, meta ones included), each once.
    let attributeNames: [String]

    /// Resolves both sides and compares them. A resolution error leaves the observed value empty.
    package func evaluate(in context: EvaluationContext) -> AssertionOutcome {
        evaluate(in: context, right: nil)
    }

    // Whether the right side reads no span attribute and calls no function, so it resolves to the same value for
    // every span of a spec (`tracetest.selected_spans.count` and variables are the same for all of them).
    var rightIsSameForEverySpan: Bool { right.isSameForEverySpan }

    // `right`: the right side already resolved, for every span of a spec.
    func evaluate(in context: EvaluationContext, right resolvedRight: Result<Value, EvaluationError>?)
        -> AssertionOutcome
    {
        let resolver = Resolver(context: context)
        let leftValue: Value
        let rightValue: Value
        do throws(EvaluationError) {
            leftValue = try resolver.value(of: left)
            if let resolvedRight {
                rightValue = try resolvedRight.get()
            } else {
                rightValue = try resolver.value(of: right)
            }
        } catch {
            return AssertionOutcome(observedValue: "", error: error)
        }
        let (observed, error) = Comparison.evaluate(leftValue, comparator, rightValue)
        return AssertionOutcome(observedValue: observed, error: error)
    }

    func resolveRight(in context: EvaluationContext) -> Result<Value, EvaluationError> {
        Result { () throws(EvaluationError) in try Resolver(context: context).value(of: right) }
    }

    /// `left comparator right` rendered without comparing (the resolve API, language.md §5.6).
    package func resolve(in context: EvaluationContext) throws(EvaluationError) -> String {
        let resolver = Resolver(context: context)
        let leftText = try resolver.value(of: left).rendered
        return leftText + " " + comparator.symbol + " " + (try resolver.value(of: right).rendered)
    }

    /// The terms of the left side, then of the right side.
    package var tokens: [TermToken] { TermToken.collect(from: left) + TermToken.collect(from: right) }
}

/// The result of one assertion on one span.
package struct AssertionOutcome: Sendable, Equatable {
    /// The left side as resolved (durations in a readable unit); empty when a side could not be resolved.
    package let observedValue: String
    package let error: EvaluationError?

    package var passed: Bool { error == nil }
}
