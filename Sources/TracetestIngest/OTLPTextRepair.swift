import SwiftProtobuf
import TracetestOTLP

/// Protobuf OTLP requests whose text is not valid UTF-8. Protobuf requires UTF-8 in `string` fields and refuses the
/// whole request otherwise; an SDK that copies raw bytes into an attribute would lose every span of the batch. So a
/// request that fails for that reason is rewritten, each byte of an invalid sequence written as `\xNN`, and decoded
/// again. Valid requests never pay for this.
enum OTLPTextRepair {
    /// Decodes `bytes`, repairing invalid UTF-8 in its text first when that is what decoding refused.
    static func decode(_ bytes: [UInt8]) throws -> ExportRequest {
        do {
            return try ExportRequest(serializedBytes: bytes)
        } catch BinaryDecodingError.invalidUTF8 {
            return try ExportRequest(serializedBytes: try repaired(bytes))
        }
    }

    /// `bytes` with every `string` field of the OTLP trace schema made valid UTF-8; other fields are copied.
    static func repaired(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        try rewrite(bytes[...], as: .request, depth: 0, into: &output)
        return output
    }

    /// The messages of the trace schema that hold text, and their fields: `string` fields and the messages inside.
    enum Message {
        case request, resourceSpans, resource, entityRef, scopeSpans, scope, span, event, link, status
        case keyValue, anyValue, arrayValue, keyValueList

        enum Field {
            case text
            case message(Message)
        }

        func field(_ number: UInt64) -> Field? {
            switch (self, number) {
            case (.request, 1): .message(.resourceSpans)
            case (.resourceSpans, 1): .message(.resource)
            case (.resourceSpans, 2): .message(.scopeSpans)
            case (.resourceSpans, 3), (.scopeSpans, 3): .text
            case (.resource, 1), (.scope, 3), (.span, 9), (.event, 3), (.link, 4), (.keyValueList, 1):
                .message(.keyValue)
            case (.resource, 3): .message(.entityRef)
            case (.entityRef, 1), (.entityRef, 2), (.entityRef, 3), (.entityRef, 4): .text
            case (.scopeSpans, 1): .message(.scope)
            case (.scopeSpans, 2): .message(.span)
            case (.scope, 1), (.scope, 2): .text
            case (.span, 3), (.span, 5), (.event, 2), (.link, 3), (.status, 2): .text
            case (.span, 11): .message(.event)
            case (.span, 13): .message(.link)
            case (.span, 15): .message(.status)
            case (.keyValue, 1), (.anyValue, 1): .text
            case (.keyValue, 2), (.arrayValue, 1): .message(.anyValue)
            case (.anyValue, 5): .message(.arrayValue)
            case (.anyValue, 6): .message(.keyValueList)
            default: nil
            }
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String { "malformed protobuf" }
    }

    /// Messages nested deeper than protobuf's own decoder accepts are refused before they can exhaust the stack.
    static let maximumDepth = 100

    private static func rewrite(
        _ bytes: ArraySlice<UInt8>, as message: Message, depth: Int, into output: inout [UInt8]
    ) throws {
        guard depth <= maximumDepth else { throw Malformed() }
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let fieldStart = position
            let tag = try varint(bytes, &position)
            switch tag & 7 {
            case 0: _ = try varint(bytes, &position)
            case 1: position += 8
            case 5: position += 4
            case 2:
                let length = try varint(bytes, &position)
                guard length <= UInt64(bytes.endIndex - position) else { throw Malformed() }
                let end = position + Int(length)
                let content = bytes[position..<end]
                switch message.field(tag >> 3) {
                case .text?:
                    appendVarint(tag, to: &output)
                    let text = escapingInvalidUTF8(content)
                    appendVarint(UInt64(text.count), to: &output)
                    output += text
                case .message(let inner)?:
                    var rewritten: [UInt8] = []
                    try rewrite(content, as: inner, depth: depth + 1, into: &rewritten)
                    appendVarint(tag, to: &output)
                    appendVarint(UInt64(rewritten.count), to: &output)
                    output += rewritten
                case nil:
                    output += bytes[fieldStart..<end]
                }
                position = end
                continue
            default: throw Malformed()
            }
            guard position <= bytes.endIndex else { throw Malformed() }
            output += bytes[fieldStart..<position]
        }
    }

    /// `bytes` as UTF-8, each byte of an invalid sequence written as `\xNN`.
    static func escapingInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = bytes.startIndex
        let hex = Array("0123456789ABCDEF".utf8)
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                output += encoded
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<position + length] {
                    output += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                position += length
            case .emptyInput:
                return output
            }
        }
    }

    private static func varint(_ bytes: ArraySlice<UInt8>, _ position: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw Malformed()
    }

    private static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }
}
