extension WireValue {
    /// Compact JSON text, as Go's `json.Marshal` writes it (no spaces, fields in order).
    package var jsonText: String {
        var output = ""
        output.reserveCapacity(256)
        writeJSON(into: &output)
        return output
    }

    /// The compact JSON text in pieces: large raw values (a trace, a run's results) are pieces of their own, so
    /// they are never copied into one string with the rest.
    package var jsonPieces: [String] {
        var pieces: [String]? = []
        var output = ""
        writeJSON(into: &output, pieces: &pieces)
        return (pieces ?? []) + [output]
    }

    /// Appends the compact JSON text to `output`.
    package func writeJSON(into output: inout String) {
        var pieces: [String]?
        writeJSON(into: &output, pieces: &pieces)
    }

    /// Raw values at least this long become pieces of their own (when pieces are collected, `pieces` is not nil).
    private static let pieceThreshold = 1 << 16

    private func writeJSON(into output: inout String, pieces: inout [String]?) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let number): output += String(number)
        case .double(let number): output += number.isFinite ? number.shortestText : "null"
        case .string(let text): Self.writeJSONString(text, into: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.writeJSON(into: &output, pieces: &pieces)
            }
            output += "]"
        case .raw(let text):
            if pieces != nil, text.utf8.count >= Self.pieceThreshold {
                pieces?.append(output)
                pieces?.append(text)
                output = ""
            } else {
                output += text
            }
        case .object(let fields):
            output += "{"
            var first = true
            for (key, value) in fields {
                if !first { output += "," }
                first = false
                Self.writeJSONString(key, into: &output)
                output += ":"
                value.writeJSON(into: &output, pieces: &pieces)
            }
            output += "}"
        }
    }

    package static func writeJSONString(_ text: String, into output: inout String) {
        output += "\""
        // Most text needs no escaping: it is copied whole.
        let plain =
            text.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }
            } ?? false
        if plain {
            output += text
            output += "\""
            return
        }
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

extension Double {
    /// The shortest text that reads back as the same number, integral values without a fraction: `1.5`, `0.1`, `2`,
    /// `1e+21`; `NaN`, `+Inf`, `-Inf` for the non-finite values.
    package var shortestText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Inf" : "+Inf" }
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return description
    }
}
