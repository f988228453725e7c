import TracetestModel

// Reading integers and floating-point numbers from JSON number text, and writing them as Go's protojson does.
enum NumberText {
    enum IntegerReading: Equatable {
        case value(negative: Bool, magnitude: UInt64)
        // Not a JSON number.
        case invalid
        // A number with a nonzero fraction.
        case fractional
        // An integer beyond 64 bits.
        case tooLarge
    }

    // The sign, significant digits and decimal point position of JSON number text
    // (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`); the value is 0.DIGITS × 10^pointPosition.
    private struct Parts {
        var negative: Bool
        var digits: [UInt8]
        var pointPosition: Int
    }

    private static func parts(_ text: String) -> Parts? {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var digits: [UInt8] = []
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) {
            digits.append(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let integerCount = index - integerStart
        guard integerCount > 0, integerCount == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                digits.append(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, isDigit(bytes[index]) {
                // Past a million the value is zero or too large either way.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            guard index > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { return nil }
        var pointPosition = integerCount + exponent
        var first = 0
        while first < digits.count, digits[first] == 0 {
            first += 1
            pointPosition -= 1
        }
        var last = digits.count
        while last > first, digits[last - 1] == 0 { last -= 1 }
        if first == last { pointPosition = 0 }
        return Parts(negative: negative, digits: Array(digits[first..<last]), pointPosition: pointPosition)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    // Whether `text` is JSON number text.
    static func isNumber(_ text: String) -> Bool { parts(text) != nil }

    // An integer written as JSON number text, which may have an exponent or a zero fraction (`1e3`, `2.0`).
    static func integer(_ text: String) -> IntegerReading {
        guard let parts = parts(text) else { return .invalid }
        if parts.digits.isEmpty { return .value(negative: false, magnitude: 0) }
        if parts.pointPosition < parts.digits.count { return .fractional }
        if parts.pointPosition > 20 { return .tooLarge }
        var magnitude: UInt64 = 0
        for position in 0..<parts.pointPosition {
            let digit = position < parts.digits.count ? UInt64(parts.digits[position]) : 0
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return .tooLarge }
            magnitude = sum
        }
        return .value(negative: parts.negative, magnitude: magnitude)
    }

    // MARK: Writing

    // A double as protojson writes it: shortest round-trip digits, exponent form below 1e-6 and from 1e21.
    static func json(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        let magnitude = Swift.abs(value)
        let exponentForm = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)
        return .number(format(magnitude.description, negative: value.sign == .minus, exponentForm: exponentForm))
    }

    // A float as protojson writes it: the shortest digits that read back as the same 32-bit value.
    static func json(_ value: Float) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        let magnitude = Swift.abs(value)
        let exponentForm = magnitude != 0 && (magnitude < Float(1e-6) || magnitude >= Float(1e21))
        return .number(format(magnitude.description, negative: value.sign == .minus, exponentForm: exponentForm))
    }

    // Rewrites Swift's shortest description (`1e-07`, `1.5e+16`, `0.1`) in Go's `%f`/`%e` style.
    private static func format(_ description: String, negative: Bool, exponentForm: Bool) -> String {
        guard let parts = parts(description) else { return description }
        let sign = negative ? "-" : ""
        let digits = String(decoding: parts.digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        if digits.isEmpty { return sign + "0" }
        let point = parts.pointPosition
        if exponentForm {
            let exponent = point - 1
            let mantissa = digits.count > 1 ? "\(digits.prefix(1)).\(digits.dropFirst())" : digits
            let exponentText =
                exponent < 0 ? "-\(-exponent)" : (exponent < 10 ? "+0\(exponent)" : "+\(exponent)")
            return sign + mantissa + "e" + exponentText
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }
}
