// A token of the expression language (language.md §4.1).
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case punctuation
        case comparator
        case arithmetic
        case duration
        case number
        case attribute
        case environment
        case variable
        case string
        case identifier
        case end
    }

    var kind: Kind
    // The token's text; a duration without the space before its unit; a reference without its `attr:`-like prefix.
    var text: String
    // Scalar offsets, local to the lexed text.
    var start: Int
    var end: Int
}

// Splits expression text into tokens. At each position the first rule of language.md §4.1 that matches wins.
struct ExpressionLexer {
    private let scalars: ArraySlice<Unicode.Scalar>
    private var position: Int

    static func tokens(_ scalars: ArraySlice<Unicode.Scalar>) throws(SyntaxIssue) -> [ExpressionToken] {
        var lexer = ExpressionLexer(scalars: scalars, position: scalars.startIndex)
        var tokens: [ExpressionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func scalar(at index: Int) -> Unicode.Scalar? {
        index < scalars.endIndex ? scalars[index] : nil
    }

    private func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }

    private func matches(_ word: String, at index: Int) -> Bool {
        var current = index
        for expected in word.unicodeScalars {
            guard scalar(at: current) == expected else { return false }
            current += 1
        }
        return true
    }

    private static let comparators = ["!=", "<=", ">=", "=", "<", ">", "contains", "not-contains"]
    private static let durationUnits = ["ns", "us", "ms", "s", "m", "h"]

    private mutating func next() throws(SyntaxIssue) -> ExpressionToken {
        while let current = scalar(at: position), Self.isSpace(current) { position += 1 }
        let start = position
        guard let first = scalar(at: start) else { return token(.end, "", start) }
        if "(),|[]".unicodeScalars.contains(first) {
            position += 1
            return token(.punctuation, String(first), start)
        }
        if let comparator = Self.comparators.first(where: { matches($0, at: start) }) {
            position += comparator.unicodeScalars.count
            return token(.comparator, comparator, start)
        }
        if "+-*/".unicodeScalars.contains(first) {
            position += 1
            return token(.arithmetic, String(first), start)
        }
        if first.isASCIIDigit {
            return numberOrDuration()
        }
        for (prefix, kind, hyphens) in [
            ("attr:", ExpressionToken.Kind.attribute, true), ("env:", .environment, false), ("var:", .variable, false),
        ] where matches(prefix, at: start) {
            let nameStart = start + prefix.unicodeScalars.count
            guard let head = scalar(at: nameStart), head.isASCIIAlphanumeric || head == "_" else { continue }
            position = nameStart + 1
            while let next = scalar(at: position),
                next.isASCIIAlphanumeric || next == "_" || next == "." || (hyphens && next == "-")
            {
                position += 1
            }
            return token(kind, text(nameStart..<position), start)
        }
        if first == "\"" || first == "'" {
            return try string(quote: first)
        }
        if first.isASCIILetter {
            position += 1
            while let next = scalar(at: position), next.isASCIIAlphanumeric || next == "_" { position += 1 }
            return token(.identifier, text(start..<position), start)
        }
        throw SyntaxIssue("unexpected character \"\(first)\"", at: start)
    }

    private func token(_ kind: ExpressionToken.Kind, _ text: String, _ start: Int) -> ExpressionToken {
        ExpressionToken(kind: kind, text: text, start: start, end: position)
    }

    // `[0-9]+(\.[0-9]+)?`, then an optional single space and a unit for a duration.
    private mutating func numberOrDuration() -> ExpressionToken {
        let start = position
        while scalar(at: position)?.isASCIIDigit == true { position += 1 }
        if scalar(at: position) == ".", scalar(at: position + 1)?.isASCIIDigit == true {
            position += 1
            while scalar(at: position)?.isASCIIDigit == true { position += 1 }
        }
        let number = text(start..<position)
        for space in [1, 0] where space == 0 || scalar(at: position) == " " {
            if let unit = Self.durationUnits.first(where: { matches($0, at: position + space) }) {
                position += space + unit.unicodeScalars.count
                return token(.duration, number + unit, start)
            }
        }
        return token(.number, number, start)
    }

    // A quoted string: `\<quote>` does not end it. Without a closing quote, the last `\<quote>` closes it (as the
    // regular expression of the reference lexer backtracks).
    private mutating func string(quote: Unicode.Scalar) throws(SyntaxIssue) -> ExpressionToken {
        let start = position
        var index = start + 1
        var lastEscapedQuote: Int?
        while let current = scalar(at: index) {
            if current == "\\" && scalar(at: index + 1) == quote {
                lastEscapedQuote = index + 1
                index += 2
            } else if current == quote {
                position = index + 1
                return token(.string, text(start..<position), start)
            } else {
                index += 1
            }
        }
        guard let closing = lastEscapedQuote else { throw SyntaxIssue("string not terminated", at: start) }
        position = closing + 1
        return token(.string, text(start..<position), start)
    }

    // `\s` of Go regular expressions: ASCII space, tab, newline, form feed, carriage return.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}"
    }
}
