import Foundation
import TracetestModel
import TracetestOTLP

/// OTLP protobuf (`ExportTraceServiceRequest`) read in one pass straight into spans, as ``OTLPJSON`` reads JSON: no
/// protobuf message tree, so a request takes little more memory than its spans. It reads what SwiftProtobuf reads:
/// unknown fields are skipped, so is a field sent with another wire type than its own, and a message field sent
/// twice is merged. One difference: text that is not UTF-8 is kept, each byte of an invalid sequence written as
/// `\xNN`, where protobuf refuses the whole request (an SDK that copies raw bytes into an attribute would otherwise
/// lose every span of its batch).
package enum OTLPProtobuf {
    /// Bytes that are not a protobuf message, with where.
    package struct Malformed: Error, CustomStringConvertible {
        package var offset: Int
        package var problem: String

        package var description: String { "malformed protobuf at byte \(offset): \(problem)" }
    }

    /// Messages nested deeper than this are refused, as SwiftProtobuf refuses them, before they exhaust the stack.
    static let maximumDepth = 100

    /// The request's spans as received (see ``OTLPConversion/batch(from:)``).
    package static func batch(from bytes: UnsafeRawBufferPointer) throws -> SpanBatch {
        var builder = OTLPConversion.BatchBuilder()
        var request = Reader(bytes, from: 0, to: bytes.count, depth: 1)
        try request.forEachMessage(1) { try resourceSpans(&$0, into: &builder) }
        return builder.batch
    }

    private static func resourceSpans(_ message: inout Reader, into builder: inout OTLPConversion.BatchBuilder) throws {
        var resource: [String: String] = [:]
        var scopes: [(inherited: [String: String], spans: [Pending])] = []
        while let field = try message.next() {
            switch field.number {
            case 1:
                guard var inner = try message.message(field) else { continue }
                try inner.forEachMessage(1) { try attribute(&$0, into: &resource) }
            case 2:
                if var inner = try message.message(field) { scopes.append(try scopeSpans(&inner)) }
            default:
                try message.skip(field)
            }
        }
        builder.add(&scopes, resource: resource)
    }

    private typealias Pending = OTLPConversion.BatchBuilder.PendingSpan

    private static func scopeSpans(_ message: inout Reader) throws -> ([String: String], [Pending]) {
        var scopeName = ""
        var scope: [String: String] = [:]
        var spans: [Pending] = []
        while let field = try message.next() {
            switch field.number {
            case 1:
                guard var inner = try message.message(field) else { continue }
                while let field = try inner.next() {
                    switch field.number {
                    case 1: scopeName = try inner.text(field) ?? scopeName
                    case 3: if var keyValue = try inner.message(field) { try attribute(&keyValue, into: &scope) }
                    default: try inner.skip(field)
                    }
                }
            case 2:
                if var inner = try message.message(field) { spans.append(try span(&inner)) }
            default:
                try message.skip(field)
            }
        }
        return (OTLPConversion.inheritedAttributes(scopeName: scopeName, scope: scope, resource: [:]), spans)
    }

    private static func span(_ message: inout Reader) throws -> Pending {
        var pending = Pending()
        // Sized once, to the count (growing a dictionary of a million attributes would hold the old and the new
        // table at once); no more, as a buffered span keeps its table for minutes.
        pending.span.attributes.reserveCapacity(try message.count(of: 9))
        var status: SpanStatus?
        while let field = try message.next() {
            switch field.number {
            case 1: if let bytes = try message.bytes(field) { pending.traceID = TraceID(bytes: bytes) }
            case 2: if let bytes = try message.bytes(field) { pending.spanID = SpanID(bytes: bytes) }
            case 4:
                if let bytes = try message.bytes(field) {
                    pending.span.parentID = SpanID(bytes: bytes).flatMap { $0.isValid ? $0 : nil }
                }
            case 5: pending.span.name = try message.text(field) ?? pending.span.name
            case 6:
                if let value = try message.varint(field) {
                    pending.span.kind = OTLPConversion.kind(
                        OTLPSpan.SpanKind(rawValue: Int(Int32(truncatingIfNeeded: value))) ?? .unspecified)
                }
            case 7:
                if let time = try message.fixed64(field) { pending.span.startTimeUnixNano = Int64(clamping: time) }
            case 8:
                if let time = try message.fixed64(field) { pending.span.endTimeUnixNano = Int64(clamping: time) }
            case 9:
                if var keyValue = try message.message(field) {
                    try attribute(&keyValue, into: &pending.span.attributes)
                }
            case 11: if var inner = try message.message(field) { pending.span.events.append(try event(&inner)) }
            case 13:
                if var inner = try message.message(field), let link = try link(&inner) {
                    pending.span.links.append(link)
                }
            case 15:
                guard var inner = try message.message(field) else { continue }
                var merged = status ?? SpanStatus(code: OTLPConversion.statusCode(.unset), message: "")
                while let field = try inner.next() {
                    switch field.number {
                    case 2: merged.message = try inner.text(field) ?? merged.message
                    case 3:
                        if let code = try inner.varint(field) {
                            merged.code = OTLPConversion.statusCode(
                                .init(rawValue: Int(Int32(truncatingIfNeeded: code))) ?? .unset)
                        }
                    default: try inner.skip(field)
                    }
                }
                status = merged
            default:
                try message.skip(field)
            }
        }
        pending.span.status = status
        return pending
    }

    private static func event(_ message: inout Reader) throws -> SpanEvent {
        var event = SpanEvent(name: "", timeUnixNano: 0, attributes: [:])
        while let field = try message.next() {
            switch field.number {
            case 1: if let time = try message.fixed64(field) { event.timeUnixNano = Int64(clamping: time) }
            case 2: event.name = try message.text(field) ?? event.name
            case 3: if var keyValue = try message.message(field) { try attribute(&keyValue, into: &event.attributes) }
            default: try message.skip(field)
            }
        }
        return event
    }

    /// The link, nil when an id has the wrong length (as the protobuf message's conversion drops it).
    private static func link(_ message: inout Reader) throws -> SpanLink? {
        var traceID: TraceID?
        var spanID: SpanID?
        var traceState = ""
        var attributes: [String: String] = [:]
        while let field = try message.next() {
            switch field.number {
            case 1: if let bytes = try message.bytes(field) { traceID = TraceID(bytes: bytes) }
            case 2: if let bytes = try message.bytes(field) { spanID = SpanID(bytes: bytes) }
            case 3: traceState = try message.text(field) ?? traceState
            case 4: if var keyValue = try message.message(field) { try attribute(&keyValue, into: &attributes) }
            default: try message.skip(field)
            }
        }
        guard let traceID, let spanID else { return nil }
        return SpanLink(traceID: traceID, spanID: spanID, traceState: traceState, attributes: attributes)
    }

    /// A `KeyValue` into `attributes`, its value as text (``OTLPConversion/AttributeValue/text``); a later key wins.
    private static func attribute(_ message: inout Reader, into attributes: inout [String: String]) throws {
        let (key, value) = try keyValue(&message)
        attributes[key] = value.text
    }

    private static func keyValue(_ message: inout Reader) throws -> (String, AnyValue) {
        var key = ""
        var value = AnyValue.none
        while let field = try message.next() {
            switch field.number {
            case 1: key = try message.text(field) ?? key
            case 2: if var inner = try message.message(field) { try anyValue(&inner, into: &value) }
            default: try message.skip(field)
            }
        }
        return (key, value)
    }

    private typealias AnyValue = OTLPConversion.AttributeValue

    private static func anyValue(_ message: inout Reader, into value: inout AnyValue) throws {
        while let field = try message.next() {
            switch field.number {
            case 1: if let text = try message.text(field) { value = .string(text) }
            case 2: if let bool = try message.varint(field) { value = .bool(bool != 0) }
            case 3: if let integer = try message.varint(field) { value = .int(Int64(bitPattern: integer)) }
            case 4: if let bits = try message.fixed64(field) { value = .double(Double(bitPattern: bits)) }
            case 5:
                guard var inner = try message.message(field) else { continue }
                var values: [WireValue] = []
                if case .array(let earlier) = value { values = earlier }
                try inner.forEachMessage(1) { item in
                    var member = AnyValue.none
                    try anyValue(&item, into: &member)
                    values.append(member.json)
                }
                value = .array(values)
            case 6:
                guard var inner = try message.message(field) else { continue }
                var pairs: [(String, WireValue)] = []
                if case .map(let earlier) = value { pairs = earlier }
                try inner.forEachMessage(1) { entry in
                    let (key, member) = try keyValue(&entry)
                    pairs.append((key, member.json))
                }
                value = .map(pairs)
            case 7: if let bytes = try message.bytes(field) { value = .bytes(Data(bytes)) }
            case 8: if try message.varint(field) != nil { value = .strindex }
            default: try message.skip(field)
            }
        }
    }

    /// The fields of one message, read in order; each field that ``next()`` returns is then read with one of
    /// `varint`, `fixed64`, `bytes`, `text`, `message` (nil, and skipped, when its wire type is another) or `skip`.
    struct Reader {
        let base: UnsafeRawBufferPointer
        var position: Int
        let end: Int
        let depth: Int

        struct Field {
            var number: UInt64
            var wireType: UInt64
            /// Where its tag starts, for messages.
            var offset: Int
        }

        init(_ base: UnsafeRawBufferPointer, from start: Int, to end: Int, depth: Int) {
            self.base = base
            self.position = start
            self.end = end
            self.depth = depth
        }

        func malformed(_ problem: String, at offset: Int? = nil) -> Malformed {
            Malformed(offset: offset ?? position, problem: problem)
        }

        /// The next field's number and wire type; nil at the end of the message.
        mutating func next() throws -> Field? {
            guard position < end else { return nil }
            let offset = position
            let tag = try readVarint()
            guard tag < UInt64(UInt32.max), tag >> 3 != 0, tag & 7 <= 5 else {
                throw malformed("invalid field tag \(tag)", at: offset)
            }
            return Field(number: tag >> 3, wireType: tag & 7, offset: offset)
        }

        mutating func varint(_ field: Field) throws -> UInt64? {
            guard field.wireType == 0 else { return try skipped(field) }
            return try readVarint()
        }

        mutating func fixed64(_ field: Field) throws -> UInt64? {
            guard field.wireType == 1 else { return try skipped(field) }
            guard end - position >= 8 else { throw malformed("truncated: field \(field.number) needs 8 bytes") }
            var value: UInt64 = 0
            for index in (0..<8).reversed() { value = value << 8 | UInt64(base[position + index]) }
            position += 8
            return value
        }

        /// A length-delimited field's content.
        mutating func bytes(_ field: Field) throws -> UnsafeRawBufferPointer? {
            guard let range = try lengthDelimited(field) else { return nil }
            return UnsafeRawBufferPointer(rebasing: base[range])
        }

        /// A `string` field; invalid UTF-8 is kept as `\xNN` per byte.
        mutating func text(_ field: Field) throws -> String? {
            guard let bytes = try bytes(field) else { return nil }
            let utf8 = bytes.assumingMemoryBound(to: UInt8.self)
            if let text = String(validating: utf8, as: UTF8.self) { return text }
            return String(decoding: OTLPProtobuf.escapingInvalidUTF8(utf8), as: UTF8.self)
        }

        /// A message field, to read its fields.
        mutating func message(_ field: Field) throws -> Reader? {
            guard let range = try lengthDelimited(field) else { return nil }
            guard depth < OTLPProtobuf.maximumDepth else {
                throw malformed("messages nested more than \(OTLPProtobuf.maximumDepth) deep", at: field.offset)
            }
            return Reader(base, from: range.lowerBound, to: range.upperBound, depth: depth + 1)
        }

        /// Reads the rest of the message, calling `body` with each message field numbered `number` (a repeated
        /// message field); other fields, and that one sent with another wire type, are skipped.
        mutating func forEachMessage(_ number: UInt64, _ body: (inout Reader) throws -> Void) throws {
            while let field = try next() {
                if field.number != number {
                    try skip(field)
                } else if var message = try message(field) {
                    try body(&message)
                }
            }
        }

        /// How many fields numbered `number` the rest of the message has (it is not read).
        func count(of number: UInt64) throws -> Int {
            var copy = self
            var count = 0
            while let field = try copy.next() {
                if field.number == number { count += 1 }
                try copy.skip(field)
            }
            return count
        }

        mutating func skip(_ field: Field) throws {
            switch field.wireType {
            case 0: _ = try readVarint()
            case 1, 5:
                let size = field.wireType == 1 ? 8 : 4
                guard end - position >= size else {
                    throw malformed("truncated: field \(field.number) needs \(size) bytes")
                }
                position += size
            case 2: _ = try lengthDelimited(field)
            case 3:
                // A group (deprecated, still valid): its fields up to the matching end tag.
                while true {
                    guard let inner = try next() else { throw malformed("group \(field.number) has no end") }
                    if inner.wireType == 4 {
                        guard inner.number == field.number else { throw malformed("unexpected end of group") }
                        return
                    }
                    try skip(inner)
                }
            default: throw malformed("invalid wire type \(field.wireType) of field \(field.number)", at: field.offset)
            }
        }

        private mutating func skipped(_ field: Field) throws -> UInt64? {
            try skip(field)
            return nil
        }

        private mutating func lengthDelimited(_ field: Field) throws -> Range<Int>? {
            guard field.wireType == 2 else {
                try skip(field)
                return nil
            }
            let length = try readVarint()
            guard length <= UInt64(end - position) else {
                throw malformed("truncated: field \(field.number) claims \(length) bytes, \(end - position) follow")
            }
            let range = position..<position + Int(length)
            position = range.upperBound
            return range
        }

        private mutating func readVarint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            let start = position
            while position < end {
                let byte = base[position]
                position += 1
                value |= UInt64(byte & 0x7F) &<< shift
                if byte < 0x80 { return value }
                shift += 7
                if shift > 63 { break }
            }
            throw malformed("truncated or overlong varint", at: start)
        }
    }

    /// `bytes` as UTF-8, each byte of an invalid sequence written as `\xNN`.
    static func escapingInvalidUTF8(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var pending = Array(bytes)[...]
        let hex = Array("0123456789ABCDEF".utf8)
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                output += encoded
                pending = pending.dropFirst(encoded.count)
            case .error(let length):
                for byte in pending.prefix(length) {
                    output += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return output
            }
        }
    }
}
