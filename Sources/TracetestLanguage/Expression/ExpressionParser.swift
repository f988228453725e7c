import TracetestModel

// Recursive-descent parser of language.md §4.2 plus precedence and parentheses (DECISIONS.md). Nesting (parentheses,
// arrays, calls, interpolations) is limited to `maximumDepth`, so no input can exhaust the stack.
struct ExpressionParser {
    static let maximumDepth = 64

    // The text being parsed and, for each of its scalars (plus its end), the offset in the outermost input.
    struct Source {
        var scalars: ArraySlice<Unicode.Scalar>
        var offsets: [Int]?

        func offset(_ local: Int) -> Int {
            guard let offsets else { return local }
            return offsets[min(local - scalars.startIndex, offsets.count - 1)]
        }
    }

    private let source: Source
    private let tokens: [ExpressionToken]
    private var position = 0
    private var depth: Int

    private init(source: Source, depth: Int) throws(SyntaxIssue) {
        self.source = source
        self.depth = depth
        do throws(SyntaxIssue) {
            self.tokens = try ExpressionLexer.tokens(source.scalars)
        } catch {
            throw SyntaxIssue(error.message, at: source.offset(error.offset))
        }
    }

    // `expression comparator expression`.
    static func statement(_ source: Source) throws(SyntaxIssue) -> (ExpressionNode, Comparator, ExpressionNode) {
        var parser = try ExpressionParser(source: source, depth: 0)
        let left = try parser.expression()
        guard parser.current.kind == .comparator, let comparator = Comparator(symbol: parser.current.text) else {
            throw parser.unexpected("expected a comparator (=, !=, <, <=, >, >=, contains, not-contains)")
        }
        parser.position += 1
        let right = try parser.expression()
        try parser.expectEnd()
        return (left, comparator, right)
    }

    // An expression alone (no comparator).
    static func expression(_ source: Source, depth: Int = 0) throws(SyntaxIssue) -> ExpressionNode {
        var parser = try ExpressionParser(source: source, depth: depth)
        let node = try parser.expression()
        try parser.expectEnd()
        return node
    }

    private var current: ExpressionToken { tokens[position] }

    private func isPunctuation(_ text: String) -> Bool {
        current.kind == .punctuation && current.text == text
    }

    private func unexpected(_ expectation: String) -> SyntaxIssue {
        let found =
            current.kind == .end
            ? "end of input" : "\"\(String(String.UnicodeScalarView(source.scalars[current.start..<current.end])))\""
        return SyntaxIssue("\(expectation), found \(found)", at: source.offset(current.start))
    }

    private func expectEnd() throws(SyntaxIssue) {
        guard current.kind == .end else {
            if current.kind == .comparator { throw unexpected("expected no comparator here (an expression only)") }
            throw unexpected("expected an operator (+ - * /), a filter (|) or the end")
        }
    }

    private mutating func expression() throws(SyntaxIssue) -> ExpressionNode {
        var node = ExpressionNode(operands: [try operand()], operators: [], filters: [])
        while current.kind == .arithmetic, let op = ArithmeticOperator(rawValue: current.text) {
            position += 1
            node.operators.append(op)
            node.operands.append(try operand())
        }
        while isPunctuation("|") {
            position += 1
            guard current.kind == .identifier else { throw unexpected("expected a filter name after \"|\"") }
            var filter = FilterCall(name: current.text, arguments: [])
            position += 1
            while startsOperand {
                filter.arguments.append(try operand())
            }
            node.filters.append(filter)
        }
        return node
    }

    private var startsOperand: Bool {
        switch current.kind {
        case .duration, .number, .attribute, .environment, .variable, .string: return true
        case .identifier: return tokens[position + 1].kind == .punctuation && tokens[position + 1].text == "("
        case .punctuation: return current.text == "(" || current.text == "["
        default: return false
        }
    }

    private mutating func operand() throws(SyntaxIssue) -> Operand {
        let token = current
        switch token.kind {
        case .number:
            position += 1
            return .term(.number(token.text))
        case .duration:
            guard let nanoseconds = DurationText.nanoseconds(token.text) else {
                throw SyntaxIssue("duration \(token.text) is too large", at: source.offset(token.start))
            }
            position += 1
            return .term(.duration(text: token.text, nanoseconds: nanoseconds))
        case .attribute:
            position += 1
            return .term(.attribute(token.text, meta: token.text.hasPrefix(TracetestAttributes.metaPrefix)))
        case .environment, .variable:
            position += 1
            return .term(.variable(token.text, legacy: token.kind == .environment))
        case .string:
            position += 1
            return .term(.string(try stringLiteral(token)))
        case .identifier:
            guard tokens[position + 1].kind == .punctuation && tokens[position + 1].text == "(" else {
                throw unexpected("expected a value; a function needs parentheses, text needs quotes")
            }
            position += 2
            let arguments = try list(closing: ")")
            return .term(.call(name: token.text, arguments: arguments))
        case .punctuation where token.text == "[":
            position += 1
            return .term(.array(try list(closing: "]")))
        case .punctuation where token.text == "(":
            try enterNesting()
            position += 1
            let node = try expression()
            guard isPunctuation(")") else { throw unexpected("expected \")\"") }
            position += 1
            depth -= 1
            return .group(node)
        default:
            throw unexpected("expected a value")
        }
    }

    // `operand (, operand)*` up to `closing`, the opening token already read.
    private mutating func list(closing: String) throws(SyntaxIssue) -> [Operand] {
        try enterNesting()
        var items: [Operand] = []
        if !isPunctuation(closing) {
            items.append(try operand())
            while isPunctuation(",") {
                position += 1
                items.append(try operand())
            }
        }
        guard isPunctuation(closing) else { throw unexpected("expected \",\" or \"\(closing)\"") }
        position += 1
        depth -= 1
        return items
    }

    private mutating func enterNesting() throws(SyntaxIssue) {
        guard depth < Self.maximumDepth else {
            throw SyntaxIssue("nesting deeper than \(Self.maximumDepth) levels", at: source.offset(current.start))
        }
        depth += 1
    }

    // The content between the quotes: `\<quote>` becomes the quote, then `${…}` parts are parsed as expressions.
    private func stringLiteral(_ token: ExpressionToken) throws(SyntaxIssue) -> StringLiteral {
        let quote = source.scalars[token.start]
        let contentRange = (token.start + 1)..<(token.end - 1)
        var content: [Unicode.Scalar] = []
        var offsets: [Int] = []
        var index = contentRange.lowerBound
        while index < contentRange.upperBound {
            if source.scalars[index] == "\\" && index + 1 < contentRange.upperBound
                && source.scalars[index + 1] == quote
            {
                index += 1
            }
            content.append(source.scalars[index])
            offsets.append(source.offset(index))
            index += 1
        }
        offsets.append(source.offset(contentRange.upperBound))
        let raw = String(String.UnicodeScalarView(source.scalars[contentRange]))
        return StringLiteral(raw: raw, segments: try Self.segments(content, offsets: offsets, depth: depth))
    }

    // Splits text around `${…}` (no `}` inside; `${}` stays text) and parses each part.
    static func segments(_ content: [Unicode.Scalar], offsets: [Int], depth: Int) throws(SyntaxIssue)
        -> [StringLiteral.Segment]
    {
        var segments: [StringLiteral.Segment] = []
        var text = String.UnicodeScalarView()
        var index = 0
        // The first `}` at or after the current position (found once per `}`, so the scan stays linear).
        var close: Int? = content.firstIndex(of: "}")
        while index < content.count {
            if let found = close, found < index { close = content[index...].firstIndex(of: "}") }
            if content[index] == "$", index + 2 < content.count, content[index + 1] == "{", content[index + 2] != "}",
                let close
            {
                guard depth < maximumDepth else {
                    throw SyntaxIssue("nesting deeper than \(maximumDepth) levels", at: offsets[index])
                }
                let inner = Source(scalars: content[(index + 2)..<close], offsets: Array(offsets[(index + 2)...close]))
                let node: ExpressionNode
                do throws(SyntaxIssue) {
                    node = try expression(inner, depth: depth + 1)
                } catch {
                    throw SyntaxIssue("in ${…}: \(error.message)", at: error.offset)
                }
                if !text.isEmpty { segments.append(.text(String(text))) }
                text = String.UnicodeScalarView()
                segments.append(.interpolation(node))
                index = close + 1
            } else {
                text.append(content[index])
                index += 1
            }
        }
        if !text.isEmpty || segments.isEmpty { segments.append(.text(String(text))) }
        return segments
    }
}
