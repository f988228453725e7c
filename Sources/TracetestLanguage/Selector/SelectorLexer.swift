// Tokens of the selector language, read the way Go's `text/scanner` reads Go source (language.md §3.1): identifiers,
// Go numbers, double-quoted strings with Go escapes, comments skipped, and every other character on its own.
struct SelectorToken: Equatable {
    enum Kind: Equatable {
        case identifier
        case integer
        case float
        case string
        case punctuation
        case end
    }

    var kind: Kind
    // The token as written (a string keeps its quotes).
    var text: String
    // The unquoted content of a string; the decimal value of an integer.
    var value: String
    var start: Int
}

struct SelectorLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    // Every token, ending with `.end`; throws the message and the offset of the first unreadable character.
    static func tokens(_ scalars: [Unicode.Scalar]) throws(SyntaxIssue) -> [SelectorToken] {
        var lexer = SelectorLexer(scalars: scalars)
        var tokens: [SelectorToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private mutating func next() throws(SyntaxIssue) -> SelectorToken {
        try skipSpaceAndComments()
        let start = position
        guard let scalar = peek() else { return SelectorToken(kind: .end, text: "", value: "", start: start) }
        if scalar.isIdentifierStart {
            while let next = peek(), next.isIdentifierStart || next.properties.numericType == .decimal {
                position += 1
            }
            let word = text(from: start)
            return SelectorToken(kind: .identifier, text: word, value: word, start: start)
        }
        if scalar.isASCIIDigit || (scalar == "." && peek(1)?.isASCIIDigit == true) {
            return try number()
        }
        switch scalar {
        case "\"": return try string()
        case "'":
            throw SyntaxIssue("selector values are written in double quotes, not single quotes", at: start)
        case "`":
            throw SyntaxIssue("selector values are written in double quotes, not back quotes", at: start)
        default:
            position += 1
            let character = text(from: start)
            return SelectorToken(kind: .punctuation, text: character, value: character, start: start)
        }
    }

    private mutating func skipSpaceAndComments() throws(SyntaxIssue) {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                position += 1
            } else if scalar == "/" && peek(1) == "/" {
                while let next = peek(), next != "\n" { position += 1 }
            } else if scalar == "/" && peek(1) == "*" {
                let start = position
                position += 2
                while peek() != nil && !(peek() == "*" && peek(1) == "/") { position += 1 }
                guard peek() != nil else { throw SyntaxIssue("comment not terminated", at: start) }
                position += 2
            } else {
                return
            }
        }
    }

    // A Go number literal: decimal, `0x`, `0o`, `0b` or leading-zero octal integers; decimal floats.
    private mutating func number() throws(SyntaxIssue) -> SelectorToken {
        let start = position
        if peek() == "0", let prefix = peek(1), let radix = Self.radixes[prefix] {
            position += 2
            var digits = ""
            while let next = peek(), next.isASCIIAlphanumeric || next == "_" {
                if next != "_" { digits.unicodeScalars.append(next) }
                position += 1
            }
            guard !digits.isEmpty, let value = Int64(digits, radix: radix) else {
                throw SyntaxIssue("invalid number \(text(from: start))", at: start)
            }
            return SelectorToken(kind: .integer, text: text(from: start), value: String(value), start: start)
        }
        var isFloat = false
        skipDigits()
        if peek() == "." {
            isFloat = true
            position += 1
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            isFloat = true
            position += 1
            if peek() == "+" || peek() == "-" { position += 1 }
            guard peek()?.isASCIIDigit == true else { throw SyntaxIssue("exponent has no digits", at: position) }
            skipDigits()
        }
        let literal = text(from: start)
        let digits = literal.filter { $0 != "_" }
        if isFloat {
            return SelectorToken(kind: .float, text: literal, value: digits, start: start)
        }
        let octal = digits.count > 1 && digits.hasPrefix("0")
        guard let value = Int64(octal ? String(digits.dropFirst()) : digits, radix: octal ? 8 : 10) else {
            throw SyntaxIssue("invalid number \(literal)", at: start)
        }
        return SelectorToken(kind: .integer, text: literal, value: String(value), start: start)
    }

    private static let radixes: [Unicode.Scalar: Int] = ["x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2]

    private mutating func skipDigits() {
        while let next = peek(), next.isASCIIDigit || next == "_" { position += 1 }
    }

    // A Go interpreted string literal; its value has the escapes applied.
    private mutating func string() throws(SyntaxIssue) -> SelectorToken {
        let start = position
        position += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek(), scalar != "\n" else {
                throw SyntaxIssue("string not terminated", at: start)
            }
            position += 1
            if scalar == "\"" { break }
            if scalar == "\\" {
                value.append(try escape())
            } else {
                value.append(scalar)
            }
        }
        return SelectorToken(kind: .string, text: text(from: start), value: String(value), start: start)
    }

    private static let simpleEscapes: [Unicode.Scalar: Unicode.Scalar] = [
        "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}", "\\": "\\",
        "\"": "\"",
    ]

    private mutating func escape() throws(SyntaxIssue) -> Unicode.Scalar {
        let start = position - 1
        guard let kind = peek() else { throw SyntaxIssue("string not terminated", at: start) }
        position += 1
        if let simple = Self.simpleEscapes[kind] { return simple }
        let digits: (count: Int, radix: Int)
        switch kind {
        case "x": digits = (2, 16)
        case "u": digits = (4, 16)
        case "U": digits = (8, 16)
        case "0"..."7":
            position -= 1
            digits = (3, 8)
        default: throw SyntaxIssue("invalid escape \\\(kind) in string", at: start)
        }
        guard position + digits.count <= scalars.count,
            let code = UInt32(text(from: position, count: digits.count), radix: digits.radix),
            let scalar = Unicode.Scalar(code)
        else { throw SyntaxIssue("invalid escape in string", at: start) }
        position += digits.count
        return scalar
    }

    private func text(from start: Int, count: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<(start + count)]))
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIAlphanumeric: Bool { isASCIIDigit || isASCIILetter }
    fileprivate var isIdentifierStart: Bool { self == "_" || properties.isAlphabetic }
}
