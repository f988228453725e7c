import Testing

@testable import TracetestProto

// Responses: unknown fields, unexpected wire types, malformed binary.
@Suite struct ProtoBinaryDecodingTests {
    let schema: ProtoSchema

    init() throws { schema = try ProtoSchema(parsing: ProtoFixtures.scalars) }

    private func error(_ bytes: [UInt8], _ type: String) -> String {
        do {
            _ = try schema.decodeToJSON(bytes, as: type)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        let unknown: [UInt8] = [
            0xB8, 0x06, 0x96, 0x01,  // field 103 varint
            0xB2, 0x06, 2, 0x61, 0x62,  // field 102 bytes
            0xAD, 0x06, 1, 2, 3, 4,  // field 101 fixed32
            0xA1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,  // field 100 fixed64
            0x9B, 0x06, 0x08, 1, 0x9B, 0x06, 0x9C, 0x06, 0x9C, 0x06,  // nested groups of field 99
        ]
        let plain = try schema.decodeToJSON([0x18, 7], as: "types.Scalars")
        #expect(try schema.decodeToJSON(unknown + [0x18, 7] + unknown, as: "types.Scalars") == plain)
    }

    @Test func valuesOfAnUnexpectedWireTypeAreSkipped() throws {
        // Field 3 (int32) as bytes, field 14 (string) as a varint.
        let text = try schema.decodeToJSON([0x1A, 1, 0x05, 0x70, 1], as: "types.Scalars")
        #expect(text.contains("\"i32\": 0,"))
        #expect(text.contains("\"s\": \"\","))
    }

    @Test func integersAreTruncatedAsProtobufDoes() throws {
        // int32 -1 sent as a ten-byte varint; uint32 from a larger varint keeps the low 32 bits.
        let bytes: [UInt8] = [
            0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x28, 0x80, 0x80, 0x80, 0x80, 0x10,
        ]
        let value = try #require(ProtoFixtures.json(try schema.decodeToJSON(bytes, as: "types.Scalars")))
        #expect(value["i32"] == .number("-1"))
        #expect(value["u32"] == .number("0"))
    }

    @Test func malformedBinaryIsAnError() {
        #expect(error([0x18], "types.Scalars") == "response is not valid protobuf: truncated varint at byte offset 1")
        #expect(
            error([0x18, 0x80], "types.Scalars") == "response is not valid protobuf: truncated varint at byte offset 1")
        #expect(
            error([0x18] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "types.Scalars")
                == "response is not valid protobuf: varint longer than 64 bits at byte offset 1")
        #expect(
            error([0x0D, 1, 2], "types.Scalars")
                == "response is not valid protobuf: truncated 32-bit value at byte offset 1")
        #expect(
            error([0x09, 1], "types.Scalars")
                == "response is not valid protobuf: truncated 64-bit value at byte offset 1")
        #expect(
            error([0x72, 5, 0x61], "types.Scalars")
                == "response is not valid protobuf: length 5 runs past the end of the data (1 bytes left) at byte offset 1"
        )
        #expect(
            error([0x00], "types.Scalars") == "response is not valid protobuf: invalid field number 0 at byte offset 0")
        #expect(
            error([0x1E], "types.Scalars") == "response is not valid protobuf: invalid wire type 6 at byte offset 1")
        #expect(
            error([0x1C], "types.Scalars")
                == "response is not valid protobuf: end-group tag of field 3 without a start at byte offset 1")
        #expect(
            error([0x9B, 0x06], "types.Scalars")
                == "response is not valid protobuf: group of field 99 is not closed at byte offset 2")
        #expect(
            error([0x9B, 0x06, 0xA4, 0x06], "types.Scalars")
                == "response is not valid protobuf: end-group tag of field 100 closes the group of field 99 at byte offset 2"
        )
        #expect(error([0x72, 1, 0xFF], "types.Scalars") == "response field \"s\": the string is not valid UTF-8")
        #expect(
            error([0x8A, 0x01, 3, 0x72, 1, 0xC0], "types.Repeats")
                == "response field \"nested[0].s\": the string is not valid UTF-8")
        #expect(error([], "types.Nope") == "unknown message type \"types.Nope\"")
    }

    @Test func deepBinaryIsAnErrorNotACrash() {
        var bytes: [UInt8] = []
        for _ in 0..<10_000 {
            var writer = WireWriter()
            writer.tag(3, .lengthDelimited)
            writer.lengthDelimited(bytes)
            bytes = writer.bytes
        }
        let message = error(bytes, "types.Tree")
        #expect(message.hasPrefix("response field \"parent.parent."))
        #expect(message.hasSuffix("\": messages are nested more than 100 levels deep"))
        var groups: [UInt8] = []
        for _ in 0..<10_000 { groups += [0x9B, 0x06] }
        #expect(
            error(groups, "types.Tree")
                == "response is not valid protobuf: groups nested more than 100 levels deep at byte offset 200")
    }
}
