import TracetestModel

// Tracetest's type inference from text (language.md §4.3; `null` is text, not json, see COMPATIBILITY).
enum TypeInference {
    static func type(of text: String) -> ValueType { inferred(text).type }

    /// The type of `text`, and for json the document parsed to decide it.
    static func inferred(_ text: String) -> (type: ValueType, document: JSONValue?) {
        var copy = text
        return copy.withUTF8 { bytes in
            if let unitLength = numberPrefixLength(bytes) {
                if unitLength == bytes.count { return (.number, nil) }
                if DurationText.unit(of: bytes[unitLength...]) != nil { return (.duration, nil) }
            }
            guard let first = bytes.first(where: { !isJSONSpace($0) }) else { return (.string, nil) }
            if first == UInt8(ascii: "{"), let document = JSONParser.parse(text), document.isObject {
                return (.json, document)
            }
            guard bytes.contains(UInt8(ascii: "[")), containsArrayPattern(bytes) else { return (.string, nil) }
            if first == UInt8(ascii: "["), let document = JSONParser.parse(text), case .array(let items) = document,
                items.allSatisfy(\.isObject)
            {
                return (.json, document)
            }
            return (.array, nil)
        }
    }

    // The length of a leading `[0-9]+(\.[0-9]+)?`, if the text starts with one.
    static func numberPrefixLength(_ bytes: some Collection<UInt8>) -> Int? {
        let digits = bytes.prefix(while: isDigit).count
        guard digits > 0 else { return nil }
        let rest = bytes.dropFirst(digits)
        guard rest.first == UInt8(ascii: ".") else { return digits }
        let fraction = rest.dropFirst().prefix(while: isDigit).count
        return fraction > 0 ? digits + 1 + fraction : digits
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    // Whether the text contains a match of `\[[^,]*(,[^\],]+)*\]` anywhere: a `[` closed by a `]` where every
    // comma-separated piece after the first is non-empty and has no `]`.
    static func containsArrayPattern(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        while let open = bytes[start...].firstIndex(of: UInt8(ascii: "[")) {
            var index = open + 1
            var afterComma = false
            var pieceLength = 0
            scan: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "]"):
                    if !afterComma || pieceLength > 0 { return true }
                    break scan
                case UInt8(ascii: ","):
                    if afterComma && pieceLength == 0 { break scan }
                    afterComma = true
                    pieceLength = 0
                default:
                    pieceLength += 1
                }
                index += 1
            }
            start = max(open + 1, index)
            if start >= bytes.count { return false }
        }
        return false
    }
}
