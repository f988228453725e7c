import Foundation
import SwiftProtobuf
import TestSupport
import Testing
import TracetestModel

@testable import TracetestIngest

@Suite("OTLP protobuf decoding")
struct OTLPProtobufTests {
    /// A protobuf field: tag (number, length-delimited) and content.
    func field(_ number: UInt64, _ content: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(content.count)) + content
    }

    func varintField(_ number: UInt64, _ value: UInt64) -> [UInt8] {
        varint(number << 3) + varint(value)
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

    /// A request with one span: its ids, then `spanFields`.
    func request(_ spanFields: [UInt8]) -> [UInt8] {
        let span = field(1, [UInt8](repeating: 1, count: 16)) + field(2, [UInt8](repeating: 2, count: 8)) + spanFields
        return field(1, field(2, field(2, span)))
    }

    /// A request with one span named by `name` and one attribute whose value is `value` (an AnyValue's bytes).
    func request(name: [UInt8], value: [UInt8]) -> [UInt8] {
        request(field(5, name) + field(9, field(1, Array("k".utf8)) + field(2, value)))
    }

    func decode(_ bytes: [UInt8]) throws -> SpanBatch {
        try bytes.withUnsafeBytes { try OTLPProtobuf.batch(from: $0) }
    }

    /// What the protobuf message SwiftProtobuf decodes from `bytes` converts to.
    func reference(_ bytes: [UInt8]) throws -> SpanBatch {
        OTLPConversion.batch(from: try ExportRequest(serializedBytes: bytes))
    }

    func expectSame(_ decoded: SpanBatch, _ expected: SpanBatch, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(decoded.traces.map(\.traceID) == expected.traces.map(\.traceID), sourceLocation: sourceLocation)
        #expect(decoded.traces.map(\.spans) == expected.traces.map(\.spans), sourceLocation: sourceLocation)
        #expect(decoded.rejectedSpans == expected.rejectedSpans, sourceLocation: sourceLocation)
        #expect(decoded.rejectionReason == expected.rejectionReason, sourceLocation: sourceLocation)
    }

    @Test("a request reads as the same spans as SwiftProtobuf's message of it")
    func sameAsSwiftProtobuf() throws {
        let bytes: [UInt8] = try OTLPJSONTests().richRequest().serializedBytes()
        let decoded = try decode(bytes)
        expectSame(decoded, try reference(bytes))
        #expect(decoded.spanCount == 3 && decoded.rejectedSpans == 2)
        let root = try #require(decoded.traces.first?.spans.first)
        #expect(root.attributes["map"] == #"{"int":"x","n":-9223372036854775807,"b":"AP8H","t":true}"#)
        #expect(root.links.count == 1, "a link with a 2-byte span id is dropped")
    }

    @Test(
        "fields twice, in any order, of the wrong wire type or unknown (every wire type, groups) read as protobuf reads them"
    )
    func protobufRules() throws {
        let attribute = { (key: String, values: [[UInt8]]) in
            self.field(9, self.field(1, Array(key.utf8)) + values.map { self.field(2, $0) }.joined())
        }
        let array = { (items: [UInt8]) in self.field(5, self.field(1, items)) }
        let unknown =
            varintField(99, 7) + varint(100 << 3 | 1) + [UInt8](repeating: 9, count: 8) + varint(101 << 3 | 5)
            + [1, 2, 3, 4] + field(102, [0xFF, 0xFE]) + varint(103 << 3 | 3) + varintField(1, 5) + field(2, [1])
            + varint(103 << 3 | 4)
        let fields =
            unknown + field(5, Array("first".utf8)) + field(5, Array("second".utf8))
            // kind as a length-delimited field: not its wire type, so skipped; then a real kind.
            + field(6, [3]) + varintField(6, 2)
            // end time before start time, a fixed64 as a varint (skipped).
            + varint(8 << 3 | 1) + [0, 1, 0, 0, 0, 0, 0, 0] + varintField(7, 12) + varint(7 << 3 | 1)
            + [0, 0, 1, 0, 0, 0, 0, 0]
            // a value sent twice is merged: a string then an int (the int wins), two arrays (appended).
            + attribute("replaced", [field(1, Array("text".utf8)), varintField(3, UInt64(bitPattern: -5))])
            + attribute("merged", [array(varintField(2, 1)), array(field(1, Array("b".utf8)))])
            + attribute("map", [field(6, field(1, field(1, Array("a".utf8)) + field(2, varintField(3, 1))))])
            + attribute("strindex", [varintField(8, 4)]) + attribute("empty", [])
            + attribute("replaced", [varint(4 << 3 | 1) + Array(Double(2.5).bitPattern.littleEndianBytes)])
            // the status twice: its fields merged.
            + field(15, varintField(3, 2)) + field(15, field(2, Array("why".utf8)))
            + field(11, field(2, Array("event".utf8)) + unknown + varint(1 << 3 | 1) + [5, 0, 0, 0, 0, 0, 0, 0])
        let bytes = request(fields)
        let decoded = try decode(bytes)
        expectSame(decoded, try reference(bytes))
        let span = try #require(decoded.traces.first?.spans.first)
        #expect(span.name == "second" && span.kind == .server)
        #expect(span.attributes["replaced"] == "2.5" && span.attributes["merged"] == #"[true,"b"]"#)
        #expect(span.status == SpanStatus(code: "STATUS_CODE_ERROR", message: "why"))
        #expect(span.events.first?.timeUnixNano == 5)
    }

    @Test("a repeated field 1 sent with another wire type is skipped once, at every level")
    func repeatedFieldOfAnotherWireType() throws {
        let stray = varintField(1, 300)
        let keyValue = field(1, Array("k".utf8)) + field(2, field(1, Array("v".utf8)))
        let array = field(5, stray + field(1, field(1, Array("a".utf8))) + stray)
        let map = field(6, stray + field(1, keyValue) + stray)
        let span =
            field(1, [UInt8](repeating: 1, count: 16)) + field(2, [UInt8](repeating: 2, count: 8))
            + field(9, field(1, Array("array".utf8)) + field(2, array))
            + field(9, field(1, Array("map".utf8)) + field(2, map))
        let resource = field(1, stray + field(1, keyValue) + stray)
        let bytes = stray + field(1, resource + field(2, field(2, span))) + stray
        let decoded = try decode(bytes)
        expectSame(decoded, try reference(bytes))
        let attributes = try #require(decoded.traces.first?.spans.first?.attributes)
        #expect(attributes["array"] == #"["a"]"# && attributes["map"] == #"{"k":"v"}"# && attributes["k"] == "v")
    }

    @Test("whatever SwiftProtobuf decodes of a damaged request reads as the same spans")
    func damagedRequests() throws {
        let original: [UInt8] = try OTLPJSONTests().richRequest().serializedBytes()
        var generator = SplitMix64(state: 21)
        var compared = 0
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            guard let expected = try? reference(bytes) else { continue }
            compared += 1
            expectSame(try decode(bytes), expected)
        }
        #expect(compared > 100)
    }

    @Test("invalid UTF-8 is written as \\xNN and the request decodes")
    func repairs() throws {
        let decoded = try decode(request(name: Array("ok".utf8) + [0xFF], value: field(1, [0x61, 0xC3])))
        let span = try #require(decoded.traces.first?.spans.first)
        #expect(span.name == #"ok\xFF"#)
        #expect(span.attributes["k"] == #"a\xC3"#)
    }

    @Test("a request nested far deeper than protobuf allows is refused, not followed until the stack runs out")
    func deepNesting() {
        // AnyValue → ArrayValue → AnyValue … 20,000 levels.
        var value = field(1, Array("leaf".utf8))
        for _ in 0..<10_000 { value = field(5, field(1, value)) }
        let error = #expect(throws: OTLPProtobuf.Malformed.self) { try decode(request(name: [], value: value)) }
        #expect(error?.description.contains("nested more than 100 deep") == true)
    }

    @Test(
        "bytes that are not protobuf are refused with the byte where reading failed",
        arguments: [
            ([0x0A, 0x05, 0x12], "truncated: field 1 claims 5 bytes, 1 follow"),
            ([0x0A, 0x02, 0x12, 0x05], "truncated: field 2 claims 5 bytes, 0 follow"),
            ([0x08, 0x80, 0x80], "truncated or overlong varint"),
            ([0x00], "invalid field tag 0"),
            ([0x0F], "invalid field tag 15"),
            ([0x0C], "invalid wire type 4"),
        ] as [([UInt8], String)])
    func malformed(bytes: [UInt8], problem: String) {
        let error = #expect(throws: OTLPProtobuf.Malformed.self) { try decode(bytes) }
        #expect(error?.description.contains(problem) == true, "\(error.map(String.init(describing:)) ?? "")")
        #expect((try? reference(bytes)) == nil, "SwiftProtobuf refuses it too")
    }
}

extension UInt64 {
    fileprivate var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) } }
}
