import TracetestModel

/// A compact binary form of spans for storage: fast to write and read back, since large traces are read whole.
///
/// Layout (all integers little-endian; strings and counts as LEB128 lengths): a format byte, the span count, then
/// per span: id, parent id (0 = none), name, kind, start, end, attributes, status, events, links.
enum SpanCodec {
    static let format: UInt8 = 1

    static func encode(_ spans: [Span]) -> [UInt8] {
        var writer = Writer()
        writer.bytes.reserveCapacity(spans.count * 256)
        writer.byte(format)
        writer.length(spans.count)
        for span in spans {
            writer.uint64(span.id.value)
            writer.uint64(span.parentID?.value ?? 0)
            writer.string(span.name)
            writer.byte(UInt8(SpanKind.allCases.firstIndex(of: span.kind) ?? 5))
            writer.int64(span.startTimeUnixNano)
            writer.int64(span.endTimeUnixNano)
            writer.attributes(span.attributes)
            if let status = span.status {
                writer.byte(1)
                writer.string(status.code)
                writer.string(status.message)
            } else {
                writer.byte(0)
            }
            writer.length(span.events.count)
            for event in span.events {
                writer.string(event.name)
                writer.int64(event.timeUnixNano)
                writer.attributes(event.attributes)
            }
            writer.length(span.links.count)
            for link in span.links {
                writer.uint64(link.traceID.high)
                writer.uint64(link.traceID.low)
                writer.uint64(link.spanID.value)
                writer.string(link.traceState)
                writer.attributes(link.attributes)
            }
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [Span] {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == format else {
            throw StorageError(.typeMismatch, "stored spans have an unknown format \(bytes.first ?? 0)")
        }
        let count = try reader.length()
        var spans: [Span] = []
        spans.reserveCapacity(count)
        for _ in 0..<count {
            let id = SpanID(try reader.uint64())
            let parent = try reader.uint64()
            let name = try reader.string()
            let kindIndex = Int(try reader.byte())
            let kind = SpanKind.allCases.indices.contains(kindIndex) ? SpanKind.allCases[kindIndex] : .unspecified
            let start = try reader.int64()
            let end = try reader.int64()
            let attributes = try reader.attributes()
            let status =
                try reader.byte() == 1 ? SpanStatus(code: try reader.string(), message: try reader.string()) : nil
            var events: [SpanEvent] = []
            for _ in 0..<(try reader.length()) {
                events.append(
                    SpanEvent(
                        name: try reader.string(), timeUnixNano: try reader.int64(), attributes: try reader.attributes()
                    )
                )
            }
            var links: [SpanLink] = []
            for _ in 0..<(try reader.length()) {
                let traceID = TraceID(high: try reader.uint64(), low: try reader.uint64())
                links.append(
                    SpanLink(
                        traceID: traceID, spanID: SpanID(try reader.uint64()), traceState: try reader.string(),
                        attributes: try reader.attributes()
                    )
                )
            }
            spans.append(
                Span(
                    id: id, parentID: parent == 0 ? nil : SpanID(parent), name: name, kind: kind,
                    startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes, events: events,
                    links: links, status: status
                )
            )
        }
        return spans
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func byte(_ value: UInt8) { bytes.append(value) }

        mutating func length(_ value: Int) {
            var remaining = UInt64(value)
            repeat {
                let low = UInt8(remaining & 0x7F)
                remaining >>= 7
                bytes.append(remaining == 0 ? low : low | 0x80)
            } while remaining != 0
        }

        mutating func uint64(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func int64(_ value: Int64) { uint64(UInt64(bitPattern: value)) }

        mutating func string(_ value: String) {
            var value = value
            value.withUTF8 { utf8 in
                length(utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func attributes(_ attributes: [String: String]) {
            length(attributes.count)
            for (key, value) in attributes {
                string(key)
                string(value)
            }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func length() throws -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                value |= UInt64(next & 0x7F) << shift
                if next & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { throw truncated }
            }
            guard value <= UInt64(bytes.count - offset) else { throw truncated }
            return Int(value)
        }

        mutating func uint64() throws -> UInt64 {
            guard offset + 8 <= bytes.count else { throw truncated }
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return value
        }

        mutating func int64() throws -> Int64 { Int64(bitPattern: try uint64()) }

        mutating func string() throws -> String {
            let count = try length()
            guard offset + count <= bytes.count else { throw truncated }
            defer { offset += count }
            return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
        }

        mutating func attributes() throws -> [String: String] {
            let count = try length()
            var attributes: [String: String] = [:]
            attributes.reserveCapacity(count)
            for _ in 0..<count {
                let key = try string()
                attributes[key] = try string()
            }
            return attributes
        }

        var truncated: StorageError { StorageError(.typeMismatch, "stored spans are truncated at byte \(offset)") }
    }
}
