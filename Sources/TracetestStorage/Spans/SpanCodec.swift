import TracetestModel

/// A compact binary form of a batch of spans for storage: fast to write and to read back, since large traces are
/// read whole. Every distinct string (attribute keys, repeated values, names) is written once in a table at the
/// start and referred to by its index, so reading a batch creates each string once.
///
/// Layout (integers little-endian, lengths and string references as LEB128): a format byte; the string table
/// (count, then length-prefixed UTF-8); the span count; per span: id, parent id (0 = none), name, kind, start, end,
/// flags (1 = has status, 2 = has Tracetest metadata), attributes, [status code and message], events, links.
enum SpanCodec {
    static let format: UInt8 = 2

    static func encode(_ spans: [Span]) -> [UInt8] {
        var body = Writer()
        var table = StringTable()
        // Spans have a dozen or two attributes, many of their values distinct: no growth of the table on the way.
        table.indices.reserveCapacity(spans.count * 16)
        table.strings.reserveCapacity(spans.count * 16)
        body.bytes.reserveCapacity(spans.count * 128)
        body.length(spans.count)
        for span in spans {
            body.uint64(span.id.value)
            body.uint64(span.parentID?.value ?? 0)
            body.length(table.index(span.name))
            body.byte(UInt8(SpanKind.allCases.firstIndex(of: span.kind) ?? 5))
            body.int64(span.startTimeUnixNano)
            body.int64(span.endTimeUnixNano)
            body.byte((span.status == nil ? 0 : 1) | (span.hasTracetestMetadata ? 2 : 0))
            body.attributes(span.attributes, &table)
            if let status = span.status {
                body.length(table.index(status.code))
                body.length(table.index(status.message))
            }
            body.length(span.events.count)
            for event in span.events {
                body.length(table.index(event.name))
                body.int64(event.timeUnixNano)
                body.attributes(event.attributes, &table)
            }
            body.length(span.links.count)
            for link in span.links {
                body.uint64(link.traceID.high)
                body.uint64(link.traceID.low)
                body.uint64(link.spanID.value)
                body.length(table.index(link.traceState))
                body.attributes(link.attributes, &table)
            }
        }
        var output = Writer()
        output.bytes.reserveCapacity(body.bytes.count + table.strings.count * 16)
        output.byte(format)
        output.length(table.strings.count)
        for string in table.strings { output.string(string) }
        output.bytes.append(contentsOf: body.bytes)
        return output.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> [Span] {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == format else {
            throw StorageError(.typeMismatch, "stored spans have an unknown format \(bytes.first ?? 0)")
        }
        let strings = try (0..<reader.length()).map { _ in try reader.string() }
        var attributes = AttributeDecoder(strings: strings)
        let count = try reader.length()
        var spans: [Span] = []
        spans.reserveCapacity(count)
        for _ in 0..<count {
            let id = SpanID(try reader.uint64())
            let parent = try reader.uint64()
            let name = try reader.reference(strings)
            let kindIndex = Int(try reader.byte())
            let kind = SpanKind.allCases.indices.contains(kindIndex) ? SpanKind.allCases[kindIndex] : .unspecified
            let start = try reader.int64()
            let end = try reader.int64()
            let flags = try reader.byte()
            let spanAttributes = try attributes.decode(&reader)
            let status =
                flags & 1 == 1
                ? SpanStatus(code: try reader.reference(strings), message: try reader.reference(strings)) : nil
            var events: [SpanEvent] = []
            for _ in 0..<(try reader.length()) {
                events.append(
                    SpanEvent(
                        name: try reader.reference(strings), timeUnixNano: try reader.int64(),
                        attributes: try reader.attributes(strings))
                )
            }
            var links: [SpanLink] = []
            for _ in 0..<(try reader.length()) {
                let traceID = TraceID(high: try reader.uint64(), low: try reader.uint64())
                links.append(
                    SpanLink(
                        traceID: traceID, spanID: SpanID(try reader.uint64()),
                        traceState: try reader.reference(strings),
                        attributes: try reader.attributes(strings)
                    )
                )
            }
            spans.append(
                Span(
                    id: id, parentID: parent == 0 ? nil : SpanID(parent), name: name, kind: kind,
                    startTimeUnixNano: start, endTimeUnixNano: end, attributes: spanAttributes, events: events,
                    links: links, status: status, hasTracetestMetadata: flags & 2 == 2
                )
            )
        }
        return spans
    }

    private struct StringTable {
        var strings: [String] = []
        var indices: [String: Int] = [:]

        mutating func index(_ string: String) -> Int {
            if let index = indices[string] { return index }
            indices[string] = strings.count
            strings.append(string)
            return strings.count - 1
        }
    }

    /// Builds span attribute dictionaries without hashing their keys: spans of a batch mostly share one key set, so
    /// the dictionary for a key set is built once and each span's copy only has its values replaced in place.
    private struct AttributeDecoder {
        typealias Template = (attributes: [String: String], positions: [Dictionary<String, String>.Index])
        let strings: [String]
        /// Per key set (string-table indices, ascending): a dictionary of those keys and the position of each key.
        var templates: [[Int]: Template] = [:]
        var last: (keys: [Int], template: Template)?
        /// The span's pairs as `key << 32 | value` string-table indices, sorted by key.
        var pairs: [UInt64] = []
        var keys: [Int] = []

        init(strings: [String]) { self.strings = strings }

        mutating func decode(_ reader: inout Reader) throws -> [String: String] {
            let count = try reader.length()
            pairs.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                let key = try reader.length()
                let value = try reader.length()
                guard key < strings.count, value < strings.count else { throw reader.truncated }
                pairs.append(UInt64(key) << 32 | UInt64(value))
            }
            pairs.sort()
            keys.removeAll(keepingCapacity: true)
            for pair in pairs { keys.append(Int(pair >> 32)) }
            let template: Template
            if let last, last.keys == keys {
                template = last.template
            } else if let known = templates[keys] ?? makeTemplate() {
                template = known
                last = (keys, known)
            } else {
                // The same key twice (never written by this codec): one of the values is kept.
                return Dictionary(pairs.map(pair), uniquingKeysWith: { $1 })
            }
            var attributes = template.attributes
            for (pair, position) in zip(pairs, template.positions) {
                attributes.values[position] = strings[Int(pair & 0xFFFF_FFFF)]
            }
            return attributes
        }

        private func pair(_ packed: UInt64) -> (String, String) {
            (strings[Int(packed >> 32)], strings[Int(packed & 0xFFFF_FFFF)])
        }

        private mutating func makeTemplate() -> Template? {
            var attributes: [String: String] = [:]
            attributes.reserveCapacity(keys.count)
            for key in keys where attributes.updateValue("", forKey: strings[key]) != nil { return nil }
            let template = (attributes, keys.map { attributes.index(forKey: strings[$0])! })
            templates[keys] = template
            return template
        }
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

        mutating func attributes(_ attributes: [String: String], _ table: inout StringTable) {
            length(attributes.count)
            for (key, value) in attributes {
                length(table.index(key))
                length(table.index(value))
            }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var truncated: StorageError { StorageError(.typeMismatch, "stored spans are truncated at byte \(offset)") }

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        /// A LEB128 number that cannot exceed what the rest of the bytes could hold (so corrupt data cannot ask
        /// for huge allocations).
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
            guard value <= UInt64(bytes.count) else { throw truncated }
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

        mutating func reference(_ strings: [String]) throws -> String {
            let index = try length()
            guard index < strings.count else { throw truncated }
            return strings[index]
        }

        mutating func attributes(_ strings: [String]) throws -> [String: String] {
            let count = try length()
            var attributes: [String: String] = [:]
            attributes.reserveCapacity(count)
            for _ in 0..<count {
                let key = try reference(strings)
                attributes[key] = try reference(strings)
            }
            return attributes
        }
    }
}
