/// A strict JSON parser without recursion: nesting deeper than `maximumDepth` is rejected rather than risking the
/// stack (here and in everything that walks the result). It builds a ``JSONValue`` tree, or, for documents too big
/// for a tree, is read a value at a time (``read(_:_:)``).
package struct JSONParser {
    package static let maximumDepth = 512

    /// Where and why a text is not JSON.
    package struct SyntaxError: Error, Sendable, Equatable {
        package var line: Int
        package var column: Int
        package var problem: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let strictUnicode: Bool
    private var position = 0
    private var problem: String?

    /// The document, or nil when `text` is not exactly one JSON value (surrounding whitespace allowed). A lone
    /// surrogate escape reads as U+FFFD.
    package static func parse(_ text: String) -> JSONValue? {
        try? document(text, strictUnicode: false)
    }

    /// The document in `text`, or where it stops being JSON. With `strictUnicode`, a `\u` escape of a lone
    /// surrogate is an error rather than U+FFFD.
    package static func document(_ text: String, strictUnicode: Bool) throws(SyntaxError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, SyntaxError> = text.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes, strictUnicode: strictUnicode)
            if let value = parser.document() { return .success(value) }
            return .failure(parser.syntaxError())
        }
        return try result.get()
    }

    /// Reads `bytes` (UTF-8; invalid sequences read as U+FFFD) with `body`, which reads the document's one value with
    /// the `read…` methods; then only whitespace may follow.
    package static func read<R>(_ bytes: UnsafeRawBufferPointer, _ body: (inout JSONParser) throws -> R) throws -> R {
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self), strictUnicode: false)
        parser.skipSpace()
        let result = try body(&parser)
        guard parser.position == parser.bytes.count else { throw parser.error("more text after the document") }
        return result
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, strictUnicode: Bool) {
        self.bytes = bytes
        self.strictUnicode = strictUnicode
    }

    /// `problem`, placed at the current position.
    package func error(_ problem: String) -> SyntaxError {
        var copy = self
        copy.problem = problem
        return copy.syntaxError()
    }

    private func syntaxError() -> SyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        var found = "unexpected end of the document"
        if position < bytes.count {
            var end = position + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            found = "unexpected \"\(String(decoding: bytes[position..<end], as: UTF8.self))\""
        }
        return SyntaxError(line: line, column: column, problem: problem ?? found)
    }

    private mutating func fail<T>(_ reason: String) -> T? {
        if problem == nil { problem = reason }
        return nil
    }

    /// An open array or object. Elements are appended in place (`stack[last].items.append`), never to a copy
    /// taken out of the stack, which would copy the whole array on every element.
    private struct Container {
        var isObject: Bool
        var items: [JSONValue] = []
        var fields: [JSONField] = []
        var pendingKey = ""
    }

    /// The value at the current position; with `whole`, it must be the whole rest of the input.
    private mutating func document(whole: Bool = true) -> JSONValue? {
        var stack: [Container] = []
        skipSpace()
        while true {
            var value: JSONValue
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let isObject = bytes[position] == UInt8(ascii: "{")
                position += 1
                skipSpace()
                if peek(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    value = isObject ? .object([]) : .array([])
                } else {
                    guard stack.count < Self.maximumDepth else {
                        return fail("nested deeper than \(Self.maximumDepth) levels")
                    }
                    var container = Container(isObject: isObject)
                    if isObject {
                        guard let key = keyAndColon() else { return nil }
                        container.pendingKey = key
                    }
                    stack.append(container)
                    continue
                }
            default:
                guard let scalar = scalar() else { return nil }
                value = scalar
            }
            // Attach the value to its container; close containers that end here.
            while true {
                skipSpace()
                guard !stack.isEmpty else {
                    return !whole || position == bytes.count ? value : fail("more text after the document")
                }
                let last = stack.count - 1
                if stack[last].isObject {
                    stack[last].fields.append(JSONField(key: stack[last].pendingKey, value: value))
                    if peek(UInt8(ascii: ",")) {
                        skipSpace()
                        guard let next = keyAndColon() else { return nil }
                        stack[last].pendingKey = next
                    } else if peek(UInt8(ascii: "}")) {
                        value = .object(stack.removeLast().fields)
                        continue
                    } else {
                        return nil
                    }
                } else {
                    stack[last].items.append(value)
                    if peek(UInt8(ascii: ",")) {
                        skipSpace()
                    } else if peek(UInt8(ascii: "]")) {
                        value = .array(stack.removeLast().items)
                        continue
                    } else {
                        return nil
                    }
                }
                break
            }
            skipSpace()
        }
    }

    private mutating func peek(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func keyAndColon() -> String? {
        skipSpace()
        guard let key = string() else { return nil }
        skipSpace()
        guard peek(UInt8(ascii: ":")) else { return nil }
        skipSpace()
        return key
    }

    private mutating func scalar() -> JSONValue? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - position >= expected.count,
            expected.indices.allSatisfy({ bytes[position + $0] == expected[$0] })
        else { return nil }
        position += expected.count
        return value
    }

    private mutating func number() -> JSONValue? {
        let start = position
        _ = peek(UInt8(ascii: "-"))
        guard digits(allowLeadingZero: false) else { return nil }
        if peek(UInt8(ascii: ".")) {
            guard digits(allowLeadingZero: true) else { return nil }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            if !peek(UInt8(ascii: "+")) { _ = peek(UInt8(ascii: "-")) }
            guard digits(allowLeadingZero: true) else { return nil }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private mutating func digits(allowLeadingZero: Bool) -> Bool {
        let start = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            position += 1
        }
        let count = position - start
        if count == 0 { return false }
        return allowLeadingZero || count == 1 || bytes[start] != UInt8(ascii: "0")
    }

    private mutating func string() -> String? {
        guard peek(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\"),
            bytes[position] >= 0x20
        {
            position += 1
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
            position += 1
            // String(decoding:) reads invalid UTF-8 (possible in raw input) as U+FFFD.
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let kind = bytes[position]
                position += 1
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    position -= 2
                    return fail("invalid escape; a backslash is written \\\\")
                }
            case 0..<0x20:
                position -= 1
                return fail("a control character in a string must be written as an escape such as \\n or \\u0000")
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return fail("\\u needs four hex digits") }
        if (0xD800..<0xDC00).contains(high) {
            guard peek(UInt8(ascii: "\\")), peek(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low)
            else { return loneSurrogate(high) }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high) ?? loneSurrogate(high)
    }

    private mutating func loneSurrogate(_ value: UInt32) -> Unicode.Scalar? {
        guard strictUnicode else { return Unicode.Scalar(0xFFFD) }
        return fail("\\u\(String(value, radix: 16, uppercase: true)) is half of a surrogate pair, not a character")
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - position >= 4,
            let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
        else { return nil }
        position += 4
        return value
    }
}

// MARK: Reading a value at a time

extension JSONParser {
    /// What the next value is.
    package enum Kind: Sendable {
        case object, array, string, number, bool, null
    }

    /// The kind of the next value, which is not read.
    package func nextKind() throws -> Kind {
        guard position < bytes.count else { throw error("unexpected end of the document") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw syntaxError()
        }
    }

    /// Reads an object, calling `field` with each key; `field` must read (or skip) the key's value. `null` reads as
    /// an object without fields.
    package mutating func readObject(_ field: (inout JSONParser, String) throws -> Void) throws {
        if try readNull() { return }
        guard peek(UInt8(ascii: "{")) else { throw error("expected an object") }
        skipSpace()
        if peek(UInt8(ascii: "}")) { return skipSpace() }
        while true {
            guard let key = keyAndColon() else { throw syntaxError() }
            try field(&self, key)
            skipSpace()
            if peek(UInt8(ascii: "}")) { return skipSpace() }
            guard peek(UInt8(ascii: ",")) else { throw error("expected \",\" or \"}\" after an object's value") }
            skipSpace()
        }
    }

    /// Reads an array, calling `element` with each index; `element` must read (or skip) the value. `null` reads as
    /// an empty array.
    package mutating func readArray(_ element: (inout JSONParser, Int) throws -> Void) throws {
        if try readNull() { return }
        guard peek(UInt8(ascii: "[")) else { throw error("expected an array") }
        skipSpace()
        if peek(UInt8(ascii: "]")) { return skipSpace() }
        var index = 0
        while true {
            try element(&self, index)
            index += 1
            skipSpace()
            if peek(UInt8(ascii: "]")) { return skipSpace() }
            guard peek(UInt8(ascii: ",")) else { throw error("expected \",\" or \"]\" after an array's value") }
            skipSpace()
        }
    }

    /// How many values the array at the current position has (0 for `null`), without reading it: to size what the
    /// values are read into.
    package func arrayCount() throws -> Int {
        var ahead = self
        var count = 0
        try ahead.readArray { json, _ in
            count += 1
            try json.skipValue()
        }
        return count
    }

    /// Reads the next value whole.
    package mutating func readValue() throws -> JSONValue {
        guard let value = document(whole: false) else { throw syntaxError() }
        skipSpace()
        return value
    }

    /// Reads a string, number, boolean or null.
    package mutating func readScalar() throws -> JSONValue {
        switch try nextKind() {
        case .object, .array: throw error("expected a string, number, boolean or null")
        default: return try readValue()
        }
    }

    /// Reads a string; nil for `null`.
    package mutating func readString() throws -> String? {
        if try readNull() { return nil }
        guard try nextKind() == .string, let text = string() else { throw error("expected a string") }
        skipSpace()
        return text
    }

    /// Passes over the next value without building it.
    package mutating func skipValue() throws {
        var open: [Bool] = []  // per open container: whether it is an object
        repeat {
            let kind = try nextKind()
            if kind == .object || kind == .array {
                position += 1
                skipSpace()
                if peek(UInt8(ascii: kind == .object ? "}" : "]")) {
                    skipSpace()
                } else {
                    guard open.count < Self.maximumDepth else {
                        throw error("nested deeper than \(Self.maximumDepth) levels")
                    }
                    open.append(kind == .object)
                    if kind == .object, keyAndColon() == nil { throw syntaxError() }
                    continue
                }
            } else {
                guard scalar() != nil else { throw syntaxError() }
                skipSpace()
            }
            // After a value: the next one in its container, or the containers that end here.
            while let isObject = open.last {
                if peek(UInt8(ascii: ",")) {
                    skipSpace()
                    if isObject, keyAndColon() == nil { throw syntaxError() }
                    break
                }
                guard peek(UInt8(ascii: isObject ? "}" : "]")) else {
                    throw error("expected \",\" or \"\(isObject ? "}" : "]")\"")
                }
                skipSpace()
                open.removeLast()
            }
        } while !open.isEmpty
    }

    private mutating func readNull() throws -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "n") else { return false }
        guard literal("null", .null) != nil else { throw syntaxError() }
        skipSpace()
        return true
    }
}
