// A strict JSON parser without recursion: nesting deeper than `maximumDepth` is rejected rather than risking the
// stack (here and in everything that walks the result).
struct JSONParser {
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    // The document, or nil when `text` is not exactly one JSON value (surrounding whitespace allowed).
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes)
            return parser.document()
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private enum Container {
        case array([JSONValue])
        case object([JSONField], pendingKey: String)
    }

    private mutating func document() -> JSONValue? {
        var stack: [Container] = []
        skipSpace()
        while true {
            var value: JSONValue
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "["):
                position += 1
                skipSpace()
                if peek(UInt8(ascii: "]")) {
                    value = .array([])
                } else {
                    guard stack.count < Self.maximumDepth else { return nil }
                    stack.append(.array([]))
                    continue
                }
            case UInt8(ascii: "{"):
                position += 1
                skipSpace()
                if peek(UInt8(ascii: "}")) {
                    value = .object([])
                } else {
                    guard stack.count < Self.maximumDepth, let key = keyAndColon() else { return nil }
                    stack.append(.object([], pendingKey: key))
                    continue
                }
            default:
                guard let scalar = scalar() else { return nil }
                value = scalar
            }
            // Attach the value to its container; close containers that end here.
            while true {
                skipSpace()
                guard let top = stack.popLast() else {
                    return position == bytes.count ? value : nil
                }
                switch top {
                case .array(var items):
                    items.append(value)
                    if peek(UInt8(ascii: ",")) {
                        skipSpace()
                        stack.append(.array(items))
                    } else if peek(UInt8(ascii: "]")) {
                        value = .array(items)
                        continue
                    } else {
                        return nil
                    }
                case .object(var fields, let key):
                    fields.append(JSONField(key: key, value: value))
                    if peek(UInt8(ascii: ",")) {
                        skipSpace()
                        guard let next = keyAndColon() else { return nil }
                        stack.append(.object(fields, pendingKey: next))
                    } else if peek(UInt8(ascii: "}")) {
                        value = .object(fields)
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
            // The input is a Swift string, so the bytes between two quotes are valid UTF-8.
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
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard peek(UInt8(ascii: "\\")), peek(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low)
            else { return Unicode.Scalar(0xFFFD) }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high) ?? Unicode.Scalar(0xFFFD)
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - position >= 4,
            let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
        else { return nil }
        position += 4
        return value
    }
}
