// A number read from text (`-1`, `0.50`, `1e3`) and compared exactly, without binary floating point.
struct DecimalNumber: Comparable {
    private let negative: Bool
    // Significant digits, without leading or trailing zeros; empty for zero.
    private let digits: [UInt8]
    // The value is `0.digits × 10^exponent`.
    private let exponent: Int

    // Reads an optional sign, digits with an optional fraction, and an optional exponent; nothing else.
    init?(_ text: String) {
        guard let lead = text.utf8.first,
            TypeInference.isDigit(lead) || lead == UInt8(ascii: "-") || lead == UInt8(ascii: "+")
                || lead == UInt8(ascii: ".")
        else { return nil }
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var all: [UInt8] = []
        var integerCount = 0
        var sawPoint = false
        var exponent = 0
        while let byte = bytes.first {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                all.append(byte - UInt8(ascii: "0"))
                if !sawPoint { integerCount += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard !all.isEmpty else { return nil }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            let rest = String(Substring(bytes.dropFirst()))
            guard rest.utf8.count <= 7, let value = Int(rest) else { return nil }
            exponent = value
            bytes = bytes.dropFirst(bytes.count)
        }
        guard bytes.isEmpty else { return nil }
        let leadingZeros = all.prefix { $0 == 0 }.count
        all.removeFirst(leadingZeros)
        while all.last == 0 { all.removeLast() }
        self.negative = negative && !all.isEmpty
        self.digits = all
        self.exponent = all.isEmpty ? 0 : integerCount - leadingZeros + exponent
    }

    static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitudeLess = lhs.magnitudeLess(than: rhs)
        return lhs.negative ? rhs.magnitudeLess(than: lhs) : magnitudeLess
    }

    private func magnitudeLess(than other: DecimalNumber) -> Bool {
        if digits.isEmpty || other.digits.isEmpty { return digits.isEmpty && !other.digits.isEmpty }
        if exponent != other.exponent { return exponent < other.exponent }
        return digits.lexicographicallyPrecedes(other.digits)
    }
}
