extension WireValue {
    /// Compact JSON text, as Go's `json.Marshal` writes it (no spaces, fields in order).
    public var jsonText: String {
        var output = ""
        output.reserveCapacity(256)
        writeJSON(into: &output)
        return output
    }

    func writeJSON(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let number): output += String(number)
        case .double(let number): output += Self.jsonNumber(number)
        case .string(let text): Self.writeJSONString(text, into: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.writeJSON(into: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            var first = true
            for (key, value) in fields {
                if !first { output += "," }
                first = false
                Self.writeJSONString(key, into: &output)
                output += ":"
                value.writeJSON(into: &output)
            }
            output += "}"
        }
    }

    /// Shortest text that reads back as the same number; integral values have no fraction (`2`, not `2.0`).
    static func jsonNumber(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        return number.description
    }

    static func writeJSONString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
