/// Compact JSON written straight into bytes, with the escapes of `WireValue.jsonText`: the fast way to write big
/// documents (a 100k-span trace or linter result).
package struct JSONBytes: Sendable {
    package var bytes: [UInt8] = []

    package init() {}

    /// The bytes as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    package mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    package mutating func bool(_ flag: Bool) { flag ? raw("true") : raw("false") }

    package mutating func integer(_ number: Int) { integer(Int64(number)) }

    /// Decimal digits, written without making a string.
    package mutating func integer(_ number: Int64) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// `value` as `digits` lowercase hexadecimal digits, zero-padded (ids: 16 for a span, 32 for a trace in two
    /// halves).
    package mutating func hex(_ value: UInt64, digits: Int = 16) {
        let alphabet: StaticString = "0123456789abcdef"
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            bytes.append(alphabet.utf8Start[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    /// Text known to need no escaping (JSON punctuation, digits, names this server writes), as it is.
    package mutating func verbatim(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    package mutating func strings(_ texts: [String]) {
        raw("[")
        for (index, text) in texts.enumerated() {
            if index > 0 { raw(",") }
            string(text)
        }
        raw("]")
    }

    package mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0  // the first byte not written yet
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                let escape: StaticString?
                var length = 1
                switch byte {
                case UInt8(ascii: "\""): escape = #"\""#
                case UInt8(ascii: "\\"): escape = #"\\"#
                case UInt8(ascii: "\n"): escape = #"\n"#
                case UInt8(ascii: "\r"): escape = #"\r"#
                case UInt8(ascii: "\t"): escape = #"\t"#
                case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA8:
                    (escape, length) = (#"\u2028"#, 3)
                case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA9:
                    (escape, length) = (#"\u2029"#, 3)
                case 0..<0x20: escape = nil
                default:
                    index += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                if let escape {
                    raw(escape)
                } else {
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hex[Int(byte >> 4)],
                        hex[Int(byte & 0xF)],
                    ])
                }
                index += length
                start = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
