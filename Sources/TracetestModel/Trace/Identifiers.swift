/// An 8-byte span id, written as 16 lowercase hex digits. The all-zero id is not a valid span.
package struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var value: UInt64

    package init(_ value: UInt64) {
        self.value = value
    }

    package static let zero = SpanID(0)

    /// Reads 16 hex digits (either case).
    package init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    /// Reads 8 bytes, big-endian, as OTLP carries them.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    package static func random() -> SpanID {
        var generator = SystemRandomNumberGenerator()
        var value: UInt64 = 0
        while value == 0 { value = generator.next() }
        return SpanID(value)
    }

    package var isValid: Bool { value != 0 }
    package var hex: String { hexDigits(value, count: 16) }
    package var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
    package var description: String { hex }

    package static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

/// A 16-byte trace id, written as 32 lowercase hex digits.
package struct TraceID: Hashable, Sendable, CustomStringConvertible {
    package var high: UInt64
    package var low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads 32 hex digits (either case).
    package init?(hex: some StringProtocol) {
        let text = String(hex)
        guard text.utf8.count == 32, let high = UInt64(text.prefix(16), radix: 16),
            let low = UInt64(text.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// Reads 16 bytes, big-endian, as OTLP carries them.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let values = Array(bytes)
        high = values[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = values[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    package static func random() -> TraceID {
        var generator = SystemRandomNumberGenerator()
        return TraceID(high: generator.next(), low: generator.next() | 1)
    }

    /// A random id whose first 4 bytes are `epochSeconds`, as AWS X-Ray requires (it refuses ids older than 28 days).
    package static func xray(epochSeconds: UInt32) -> TraceID {
        var generator = SystemRandomNumberGenerator()
        return TraceID(
            high: UInt64(epochSeconds) << 32 | UInt64(UInt32.random(in: .min ... .max, using: &generator)),
            low: generator.next() | 1)
    }

    package var isValid: Bool { high != 0 || low != 0 }
    package var hex: String { hexDigits(high, count: 16) + hexDigits(low, count: 16) }
    package var bytes: [UInt8] { SpanID(high).bytes + SpanID(low).bytes }
    package var description: String { hex }
}

private func hexDigits(_ value: UInt64, count: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: count - digits.count) + digits
}
