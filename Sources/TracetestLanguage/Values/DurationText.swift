import Foundation

/// Durations as text (language.md §6): `1.5s` to nanoseconds and back.
package enum DurationText {
    /// The nanoseconds of `text`: a number with a unit (`ns`, `us`, `ms`, `s`, `m`, `h`; fractions truncated toward
    /// zero, computed exactly) or a plain integer of nanoseconds. Nil for anything else or an overflow.
    package static func nanoseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { nanoseconds(utf8: $0) }
    }

    private static func nanoseconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var whole: Int64 = 0
        while index < bytes.count, TypeInference.isDigit(bytes[index]) {
            let (shifted, overflow) = whole.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            whole = shifted + Int64(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > 0 else { return nil }
        var numerator: Int128 = 0
        var denominator: Int128 = 1
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "."), TypeInference.isDigit(bytes[index + 1]) {
            index += 1
            while index < bytes.count, TypeInference.isDigit(bytes[index]) {
                if denominator < 100_000_000_000_000_000_000 {
                    numerator = numerator * 10 + Int128(bytes[index] - UInt8(ascii: "0"))
                    denominator *= 10
                }
                index += 1
            }
        }
        guard let unit = unit(of: UnsafeBufferPointer(rebasing: bytes[index...])) else { return nil }
        let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        let (total, sumOverflow) = product.addingReportingOverflow(Int64(numerator * Int128(unit) / denominator))
        return sumOverflow ? nil : total
    }

    // The nanoseconds of a unit suffix (none is nanoseconds), if the bytes are exactly one.
    static func unit(of bytes: some Collection<UInt8>) -> Int64? {
        var iterator = bytes.makeIterator()
        let first = iterator.next()
        let second = iterator.next()
        guard iterator.next() == nil else { return nil }
        switch (first, second) {
        case (nil, nil): return 1
        case (UInt8(ascii: "n"), UInt8(ascii: "s")): return 1
        case (UInt8(ascii: "u"), UInt8(ascii: "s")): return 1_000
        case (UInt8(ascii: "m"), UInt8(ascii: "s")): return 1_000_000
        case (UInt8(ascii: "s"), nil): return 1_000_000_000
        case (UInt8(ascii: "m"), nil): return 60_000_000_000
        case (UInt8(ascii: "h"), nil): return 3_600_000_000_000
        default: return nil
        }
    }

    /// Tracetest's display (`ConvertNanoSecondsIntoProperTimeUnit`): `93us`, `27ms`, `1.2s`, `27.5m`, `2h`, rounded.
    package static func upstreamText(_ nanoseconds: Int64) -> String {
        guard nanoseconds > 0 else { return "0ns" }
        let value = Double(nanoseconds)
        let scale = min(3, Int((log(value) / log(1000)).rounded(.down)))
        var x = value / pow(1000, Double(scale))
        if scale < 3 {
            return String(Int64(x.rounded(.toNearestOrEven))) + ["ns", "us", "ms"][scale]
        }
        var unit = "s"
        if x >= 60 {
            x /= 60
            unit = "m"
            if x >= 60 {
                x /= 60
                unit = "h"
            }
        }
        if x == x.rounded(.towardZero) { return String(Int64(x)) + unit }
        let tenths = Int64((x * 10).rounded(.toNearestOrEven))
        return "\(tenths / 10).\(tenths % 10)" + unit
    }

    /// The display of observed values: Tracetest's when it is exact (`2us`, `35ms`, `1.5m`), else the same unit (at most
    /// seconds) with every decimal needed (`25.187564ms`, `61s`), so a failed exact comparison never shows
    /// equal-looking values.
    package static func exactText(_ nanoseconds: Int64) -> String {
        if nanoseconds < 0 { return nanoseconds == .min ? "0ns" : "-" + exactText(-nanoseconds) }
        switch nanoseconds {
        case ..<1_000: return decimal(nanoseconds, 1, unit: "ns")
        case ..<1_000_000: return decimal(nanoseconds, 1_000, unit: "us")
        case ..<1_000_000_000: return decimal(nanoseconds, 1_000_000, unit: "ms")
        case ..<60_000_000_000 where nanoseconds % 100_000_000 == 0:
            return decimal(nanoseconds, 1_000_000_000, unit: "s")
        case 60_000_000_000..<3_600_000_000_000 where nanoseconds % 6_000_000_000 == 0:
            return decimal(nanoseconds / 6_000_000_000, 10, unit: "m")
        case 3_600_000_000_000... where nanoseconds % 360_000_000_000 == 0:
            return decimal(nanoseconds / 360_000_000_000, 10, unit: "h")
        default:
            return decimal(nanoseconds, 1_000_000_000, unit: "s")
        }
    }

    // `value / scale` with every significant decimal, then `unit`; written in one buffer (observed values of
    // durations are made for every span an assertion reads).
    private static func decimal(_ value: Int64, _ scale: Int64, unit: StaticString) -> String {
        String(unsafeUninitializedCapacity: 48) { buffer in
            var count = 0
            func append(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            var whole = value / scale
            var digits = 1
            while whole >= 10 {
                whole /= 10
                digits += 1
            }
            whole = value / scale
            for position in stride(from: digits - 1, through: 0, by: -1) {
                buffer[count + position] = UInt8(48 + whole % 10)
                whole /= 10
            }
            count += digits
            var remainder = value % scale
            if remainder != 0 {
                append(UInt8(ascii: "."))
                var digit = scale / 10
                while remainder != 0 {
                    append(UInt8(48 + remainder / digit))
                    remainder %= digit
                    digit /= 10
                }
            }
            unit.withUTF8Buffer { for byte in $0 { append(byte) } }
            return count
        }
    }
}
