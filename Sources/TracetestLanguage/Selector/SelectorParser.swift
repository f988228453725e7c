// Recursive-descent parser of language.md §3.2 with the fixes of DECISIONS.md: a filter needs a value,
// `:nth_child` needs an integer, one pseudo-class per step. Chains are read iteratively (no recursion).
struct SelectorParser {
    private let tokens: [SelectorToken]
    private var position = 0

    static func parse(_ scalars: [Unicode.Scalar]) throws(SyntaxIssue) -> [SelectorPath] {
        var parser = SelectorParser(tokens: try SelectorLexer.tokens(scalars))
        return try parser.selector()
    }

    private init(tokens: [SelectorToken]) {
        self.tokens = tokens
    }

    private var current: SelectorToken { tokens[position] }

    private func isPunctuation(_ text: String) -> Bool {
        current.kind == .punctuation && current.text == text
    }

    private mutating func expect(_ text: String, _ context: String) throws(SyntaxIssue) {
        guard isPunctuation(text) else { throw unexpected("expected \"\(text)\" \(context)") }
        position += 1
    }

    private func unexpected(_ expectation: String) -> SyntaxIssue {
        let found = current.kind == .end ? "end of input" : "\"\(current.text)\""
        return SyntaxIssue("\(expectation), found \(found)", at: current.start)
    }

    private mutating func selector() throws(SyntaxIssue) -> [SelectorPath] {
        guard current.kind != .end else { return [] }
        var paths = [try path()]
        while isPunctuation(",") {
            position += 1
            paths.append(try path())
        }
        guard current.kind == .end else { throw unexpected("expected \",\" or span[...]") }
        return paths
    }

    private mutating func path() throws(SyntaxIssue) -> SelectorPath {
        var steps = [try step()]
        while current.kind == .identifier && current.text == "span" {
            steps.append(try step())
        }
        return SelectorPath(steps: steps)
    }

    private mutating func step() throws(SyntaxIssue) -> SpanSelector {
        guard current.kind == .identifier && current.text == "span" else { throw unexpected("expected span[...]") }
        position += 1
        try expect("[", "after span (span[] selects every span)")
        var filters: [SpanFilter] = []
        while !isPunctuation("]") {
            if !filters.isEmpty && isPunctuation(",") { position += 1 }
            filters.append(try filter())
        }
        position += 1
        return SpanSelector(filters: filters, pseudoClass: try pseudoClass())
    }

    private mutating func filter() throws(SyntaxIssue) -> SpanFilter {
        guard current.kind == .identifier else { throw unexpected("expected a property name or \"]\"") }
        var property = current.text
        position += 1
        while isPunctuation(".") {
            position += 1
            guard current.kind == .identifier else { throw unexpected("expected a property name after \".\"") }
            property += "." + current.text
            position += 1
        }
        let op: SpanFilter.Operator
        if isPunctuation("=") {
            op = .equals
        } else if current.kind == .identifier && current.text == "contains" {
            op = .contains
        } else {
            throw unexpected("expected = or contains after \(property) (selectors support only these two)")
        }
        position += 1
        return SpanFilter(property: property, operator: op, value: try value())
    }

    private mutating func value() throws(SyntaxIssue) -> FilterValue {
        let token = current
        let kind: FilterValue.Kind
        switch token.kind {
        case .string: kind = .string
        case .integer: kind = .integer
        case .float: kind = .float
        case .identifier where token.text == "true" || token.text == "false": kind = .boolean
        default: throw unexpected("expected a value (\"text\", a number, true or false)")
        }
        position += 1
        return FilterValue(kind: kind, raw: token.text, text: token.value)
    }

    private mutating func pseudoClass() throws(SyntaxIssue) -> PseudoClass? {
        guard isPunctuation(":") else { return nil }
        position += 1
        guard current.kind == .identifier else { throw unexpected("expected first, last or nth_child after \":\"") }
        let name = current.text
        let nameStart = current.start
        position += 1
        let result: PseudoClass
        switch name {
        case "first", "last":
            while isPunctuation("(") { try skipIgnoredArguments() }
            result = name == "first" ? .first : .last
        case "nth_child":
            try expect("(", "after nth_child")
            guard current.kind == .integer, let n = Int(current.value) else {
                throw unexpected("expected an integer position in nth_child(...)")
            }
            position += 1
            try expect(")", "after the nth_child position")
            result = .nthChild(n)
        default:
            throw SyntaxIssue("unknown pseudo-class :\(name) (expected :first, :last or :nth_child(n))", at: nameStart)
        }
        if isPunctuation(":") { throw unexpected("expected one pseudo-class per span[...]") }
        return result
    }

    // `:first(…)` and `:last(…)` accept and ignore values in parentheses.
    private mutating func skipIgnoredArguments() throws(SyntaxIssue) {
        position += 1
        while current.kind != .end && !isPunctuation(")") {
            _ = try value()
        }
        try expect(")", "to close the argument list")
    }
}
