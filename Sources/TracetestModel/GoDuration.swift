import Foundation

/// A duration written the way Go's `time.ParseDuration` reads it: `500ms`, `1m30s`, `1.5h`, `-2us`.
///
/// Tracetest configuration and resources (polling profiles, telemetry intervals) use this syntax.
package struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var nanoseconds: Int64

    package init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    package static func seconds(_ value: Int64) -> GoDuration { GoDuration(nanoseconds: value * 1_000_000_000) }
    package static func milliseconds(_ value: Int64) -> GoDuration { GoDuration(nanoseconds: value * 1_000_000) }

    /// The value as a Swift `Duration`.
    package var duration: Duration { .nanoseconds(nanoseconds) }

    package static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The units Go accepts, longest suffix first so `ms` wins over `m`.
    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `text`; the error message says what is wrong and what is accepted.
    package init(parsing text: String) throws(GoDurationError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { throw GoDurationError(text: text, reason: "it is empty") }
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            self.nanoseconds = 0
            return
        }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else {
                throw GoDurationError(text: text, reason: "expected a number at \"\(rest)\"")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = Self.units.first(where: { $0.suffix == unitText }) else {
                let reason = unitText.isEmpty ? "missing unit after \(number)" : "unknown unit \"\(unitText)\""
                throw GoDurationError(text: text, reason: reason)
            }
            rest = rest.dropFirst(unitText.count)
            total += value * Double(unit.nanoseconds)
        }
        guard total <= Double(Int64.max) else { throw GoDurationError(text: text, reason: "it is too large") }
        self.nanoseconds = Int64(total.rounded()) * (negative ? -1 : 1)
    }

    /// Go's `Duration.String()`: `1h2m3.5s`, `300ms`, `0s`.
    package var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000 { return "\(sign)\(magnitude)ns" }
        if magnitude < 1_000_000 { return sign + Self.decimal(magnitude, scale: 1_000) + "µs" }
        if magnitude < 1_000_000_000 { return sign + Self.decimal(magnitude, scale: 1_000_000) + "ms" }
        var text = sign
        let hours = magnitude / 3_600_000_000_000
        let minutes = (magnitude / 60_000_000_000) % 60
        let seconds = magnitude % 60_000_000_000
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        return text + Self.decimal(seconds, scale: 1_000_000_000) + "s"
    }

    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        var fraction = String(value % scale)
        guard fraction != "0" else { return String(whole) }
        let width = String(scale).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}

/// A duration that Go's syntax does not accept.
package struct GoDurationError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String

    package var description: String {
        "invalid duration \"\(text)\": \(reason) (write a number with a unit: ns, us, ms, s, m, h, e.g. 500ms or 1m30s)"
    }
}
