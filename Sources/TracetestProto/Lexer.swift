// One token of a `.proto` text.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier
        case integer
        case float
        case string
        case symbol
        case end
    }

    var kind: Kind
    // The source text; for a string, its decoded value.
    var text: String
    // The value of an integer token; nil when it does not fit 64 bits.
    var integerValue: UInt64?
    var location: SourceLocation

    // How an error message shows the token.
    var quoted: String {
        switch kind {
        case .end: return "end of file"
        case .string: return "string \"\(text.prefix(40))\""
        default: return "\"\(text)\""
        }
    }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
    func isIdentifier(_ name: String) -> Bool { kind == .identifier && text == name }
}

// Splits a `.proto` text into tokens, dropping whitespace and comments.
struct Lexer {
    private let bytes: [UInt8]
    private let fileName: String
    private var position = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []

    static func tokenize(_ text: String, fileName: String) throws(ProtoError) -> [Token] {
        var lexer = Lexer(bytes: Array(text.utf8), fileName: fileName)
        try lexer.run()
        return lexer.tokens
    }

    private init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    private var location: SourceLocation { SourceLocation(fileName: fileName, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func advance() {
        guard position < bytes.count else { return }
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func run() throws(ProtoError) {
        while true {
            try skipSpaceAndComments()
            let start = location
            guard let byte = peek() else {
                tokens.append(Token(kind: .end, text: "", location: start))
                return
            }
            if byte.isIdentifierStart {
                let from = position
                while let next = peek(), next.isIdentifierPart { advance() }
                tokens.append(Token(kind: .identifier, text: text(from), location: start))
            } else if byte.isDigit || (byte == UInt8(ascii: ".") && (peek(1)?.isDigit ?? false)) {
                try lexNumber(start)
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                try lexString(start)
            } else if byte > 0x20 && byte < 0x7F {
                advance()
                tokens.append(Token(kind: .symbol, text: String(UnicodeScalar(byte)), location: start))
            } else {
                throw ProtoError("unexpected character \(describe(byte))", at: start)
            }
        }
    }

    private func text(_ from: Int) -> String { String(decoding: bytes[from..<position], as: UTF8.self) }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x80 {
            var end = position + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "\"\(String(decoding: bytes[position..<end], as: UTF8.self))\""
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    private mutating func skipSpaceAndComments() throws(ProtoError) {
        while let byte = peek() {
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                advance()
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let next = peek(), next != UInt8(ascii: "\n") { advance() }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let start = location
                advance()
                advance()
                while true {
                    guard let next = peek() else {
                        throw ProtoError("unterminated comment: \"/*\" has no closing \"*/\"", at: start)
                    }
                    if next == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    private mutating func lexNumber(_ start: SourceLocation) throws(ProtoError) {
        let from = position
        var isFloat = false
        var radix: UInt64 = 10
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            advance()
            advance()
            radix = 16
            guard peek()?.isHexDigit ?? false else {
                throw ProtoError("expected hex digits after \"0x\"", at: location)
            }
            while let next = peek(), next.isHexDigit { advance() }
        } else {
            if peek() == UInt8(ascii: "0"), peek(1)?.isDigit ?? false { radix = 8 }
            while let next = peek(), next.isDigit { advance() }
            if peek() == UInt8(ascii: ".") {
                isFloat = true
                advance()
                while let next = peek(), next.isDigit { advance() }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                isFloat = true
                advance()
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { advance() }
                guard peek()?.isDigit ?? false else {
                    throw ProtoError("expected digits in the exponent of a number", at: location)
                }
                while let next = peek(), next.isDigit { advance() }
            }
        }
        if let next = peek(), next.isIdentifierPart || next == UInt8(ascii: ".") {
            throw ProtoError("expected a space or a symbol after the number \(text(from))", at: location)
        }
        let source = text(from)
        if isFloat {
            tokens.append(Token(kind: .float, text: source, location: start))
            return
        }
        let digits = radix == 16 ? source.dropFirst(2) : (radix == 8 ? source.dropFirst() : Substring(source))
        if radix == 8, digits.contains(where: { $0 == "8" || $0 == "9" }) {
            throw ProtoError("\(source) starts with 0 so it is octal, but 8 and 9 are not octal digits", at: start)
        }
        let value = digits.isEmpty ? 0 : UInt64(digits, radix: Int(radix))
        tokens.append(Token(kind: .integer, text: source, integerValue: value, location: start))
    }

    private mutating func lexString(_ start: SourceLocation) throws(ProtoError) {
        guard let quote = peek() else { return }
        advance()
        var value: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw ProtoError("unterminated string: no closing quote before the end of the file", at: start)
            }
            if byte == UInt8(ascii: "\n") {
                throw ProtoError("unterminated string: no closing quote on its line", at: start)
            }
            let byteLocation = location
            advance()
            if byte == quote { break }
            if byte == UInt8(ascii: "\\") {
                try lexEscape(into: &value, at: byteLocation)
            } else {
                value.append(byte)
            }
        }
        tokens.append(Token(kind: .string, text: String(decoding: value, as: UTF8.self), location: start))
    }

    private mutating func lexEscape(into value: inout [UInt8], at escapeLocation: SourceLocation) throws(ProtoError) {
        guard let byte = peek(), byte != UInt8(ascii: "\n") else {
            throw ProtoError("expected an escape character after \"\\\"", at: escapeLocation)
        }
        advance()
        switch byte {
        case UInt8(ascii: "a"): value.append(0x07)
        case UInt8(ascii: "b"): value.append(0x08)
        case UInt8(ascii: "f"): value.append(0x0C)
        case UInt8(ascii: "n"): value.append(0x0A)
        case UInt8(ascii: "r"): value.append(0x0D)
        case UInt8(ascii: "t"): value.append(0x09)
        case UInt8(ascii: "v"): value.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"): value.append(byte)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var code = UInt32(byte - UInt8(ascii: "0"))
            for _ in 0..<2 {
                guard let next = peek(), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "7") else { break }
                code = code * 8 + UInt32(next - UInt8(ascii: "0"))
                advance()
            }
            value.append(UInt8(truncatingIfNeeded: code))
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            guard let code = readHex(maximumDigits: 2) else {
                throw ProtoError("expected hex digits after \"\\x\"", at: escapeLocation)
            }
            value.append(UInt8(truncatingIfNeeded: code))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            guard let code = readHex(exactDigits: count), let scalar = UnicodeScalar(code) else {
                throw ProtoError(
                    "expected \(count) hex digits of a Unicode scalar after \"\\\(Character(UnicodeScalar(byte)))\"",
                    at: escapeLocation)
            }
            value.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw ProtoError("unknown escape \"\\\(Character(UnicodeScalar(byte)))\" in a string", at: escapeLocation)
        }
    }

    private mutating func readHex(maximumDigits: Int) -> UInt32? {
        var code: UInt32 = 0
        var count = 0
        while count < maximumDigits, let next = peek(), let digit = next.hexValue {
            code = code * 16 + digit
            count += 1
            advance()
        }
        return count == 0 ? nil : code
    }

    private mutating func readHex(exactDigits: Int) -> UInt32? {
        var code: UInt32 = 0
        for _ in 0..<exactDigits {
            guard let next = peek(), let digit = next.hexValue else { return nil }
            code = code &* 16 &+ digit
            advance()
        }
        return code
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool { hexValue != nil }
    fileprivate var isIdentifierStart: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
            || self == UInt8(ascii: "_")
    }
    fileprivate var isIdentifierPart: Bool { isIdentifierStart || isDigit }
    fileprivate var hexValue: UInt32? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(self - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
