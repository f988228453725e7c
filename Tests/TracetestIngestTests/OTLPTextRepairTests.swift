import Testing

@testable import TracetestIngest

@Suite("OTLP text repair")
struct OTLPTextRepairTests {
    /// A protobuf field: tag (number, length-delimited) and content.
    func field(_ number: UInt64, _ content: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(content.count)) + content
    }

    func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    /// A request with one span named by `name` and one attribute whose value is `value` (an AnyValue's bytes).
    func request(name: [UInt8], value: [UInt8]) -> [UInt8] {
        let attribute = field(1, Array("k".utf8)) + field(2, value)
        let span =
            field(1, [UInt8](repeating: 1, count: 16)) + field(2, [UInt8](repeating: 2, count: 8))
            + field(5, name) + field(9, attribute)
        return field(1, field(2, field(2, span)))
    }

    @Test("invalid UTF-8 is written as \\xNN and the request decodes")
    func repairs() throws {
        let bytes = request(name: Array("ok".utf8) + [0xFF], value: field(1, [0x61, 0xC3]))
        let decoded = try OTLPTextRepair.decode(bytes)
        let span = try #require(decoded.resourceSpans.first?.scopeSpans.first?.spans.first)
        #expect(span.name == #"ok\xFF"#)
        #expect(span.attributes.first?.value.stringValue == #"a\xC3"#)
    }

    @Test("a request nested far deeper than protobuf allows is refused, not followed until the stack runs out")
    func deepNesting() {
        // AnyValue → ArrayValue → AnyValue … 20,000 levels, behind a name that is not UTF-8.
        var value = field(1, Array("leaf".utf8))
        for _ in 0..<10_000 { value = field(5, field(1, value)) }
        let bytes = request(name: [0xFF], value: value)
        #expect(throws: (any Error).self) { try OTLPTextRepair.decode(bytes) }
    }
}
