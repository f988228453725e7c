import TracetestModel

// What a rule needs of a span, read once per span.
struct SpanView {
    let id: String
    let name: String
    let kind: SpanKind
    // `tracetest.span.type`, or empty.
    let type: String
    let attributes: [String: String]

    init(_ span: Span) {
        id = Self.hex(span.id.value)
        name = span.name
        kind = span.kind
        attributes = span.attributes
        type = span.attributes[TracetestAttributes.type] ?? ""
    }

    // 16 lower-case hex digits, as `SpanID.hex` writes them, in one allocation.
    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<16 {
                let nibble = Int(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                buffer[index] = digits.utf8Start[nibble]
            }
            return 16
        }
    }

    // The attribute's value, empty when missing.
    func text(_ key: String) -> String { attributes[key] ?? "" }
}

typealias SpanError = LinterResult.SpanError

// The built-in rules (ui-analyzer.md §2.3).
enum RuleKind: String, Sendable, CaseIterable {
    case spanNaming = "span-naming"
    case requiredAttributes = "required-attributes"
    case attributeNaming = "attribute-naming"
    case noEmptyAttributes = "no-empty-attributes"
    case preferDNS = "prefer-dns"
    case secureHTTPSProtocol = "secure-https-protocol"
    case noAPIKeyLeak = "no-api-key-leak"

    // The span's errors (empty: it passed), or nil when the rule does not look at this span.
    func evaluate(_ span: SpanView, scratch: inout Scratch) -> [SpanError]? {
        switch self {
        case .spanNaming: SpanNaming.check(span)
        case .requiredAttributes: RequiredAttributes.check(span)
        case .attributeNaming: AttributeNaming.check(span, scratch: &scratch)
        case .noEmptyAttributes: NoEmptyAttributes.check(span)
        case .preferDNS: PreferDNS.check(span)
        case .secureHTTPSProtocol: span.type == "http" ? SecureHTTPS.check(span) : nil
        case .noAPIKeyLeak: span.type == "http" ? NoAPIKeyLeak.check(span) : nil
        }
    }
}

// Buffers reused from span to span.
struct Scratch {
    var namespaces: [(index: Dictionary<String, String>.Index, length: Int, print: UInt64)] = []
    // An open-addressing set of fingerprints (0: empty slot), a power of two long.
    var prints: [UInt64] = []
}

// Span names follow the semantic conventions of their type.
enum SpanNaming {
    static let nameKey = TracetestAttributes.name

    static func check(_ span: SpanView) -> [SpanError] {
        let expected: String
        switch span.type {
        case "http":
            let method = span.text("http.method")
            expected = span.kind == .client ? method : method + " " + span.text("http.route")
        case "database":
            if span.text("db.system") == "redis" { return checkRedis(span) }
            let table = span.text("db.sql.table")
            let target = table.isEmpty ? span.text("db.name") : span.text("db.name") + "." + table
            expected = span.text("db.operation") + " " + target
        case "rpc":
            expected = span.text("rpc.service") + "/" + span.text("rpc.method")
        case "messaging":
            expected = span.text("messaging.destination") + " " + span.text("messaging.operation")
        default:
            return []
        }
        guard span.name != expected else { return [] }
        return [
            SpanError(
                value: nameKey, expected: expected,
                description: "The name \"\(span.name)\" does not follow the naming convention of \(span.type) spans"
            )
        ]
    }

    // A Redis span is named after its command: `db.statement` starts with the name (ignoring case).
    static func checkRedis(_ span: SpanView) -> [SpanError] {
        let statement = span.text("db.statement")
        if !statement.isEmpty && statement.lowercased().hasPrefix(span.name.lowercased()) { return [] }
        return [
            SpanError(
                value: nameKey,
                description: "The name \"\(span.name)\" is not the command that db.statement starts with"
            )
        ]
    }
}

// Spans carry the attributes their type requires (present, possibly empty).
enum RequiredAttributes {
    static func check(_ span: SpanView) -> [SpanError] {
        let required: [String]
        switch (span.type, span.kind) {
        case ("http", .client): required = ["http.method", "http.url", "net.peer.name"]
        case ("http", .server): required = ["http.method", "http.target", "http.scheme", "net.host.name"]
        case ("http", _): required = ["http.method"]
        case ("database", _): required = ["db.system"]
        case ("rpc", _): required = ["rpc.system", "net.peer.name"]
        case ("messaging", _): required = ["messaging.system", "messaging.operation"]
        case ("faas", .client): required = ["faas.invoked_name", "faas.invoked_provider"]
        case ("faas", .server): required = ["faas.trigger"]
        default: return []
        }
        var errors: [SpanError] = []
        for key in required where span.attributes[key] == nil {
            errors.append(
                SpanError(value: key, description: "Spans of type \"\(span.type)\" need the attribute \"\(key)\""))
        }
        return errors
    }
}

// Attribute keys are dot-separated lower-case snake_case parts (`^([a-z0-9_]+\.)+[a-z0-9_]+$`), and no key is
// also the namespace of another key on the span.
enum AttributeNaming {
    static func check(_ span: SpanView, scratch: inout Scratch) -> [SpanError] {
        var invalid: [String] = []
        // Fingerprints keep the namespace check cheap: a namespace is looked up among the keys only when a key has
        // the same fingerprint, which is rare.
        let attributes = span.attributes
        var size = 64
        while size < 2 * attributes.count { size <<= 1 }
        if scratch.prints.count == size {
            for slot in scratch.prints.indices { scratch.prints[slot] = 0 }
        } else {
            scratch.prints = Array(repeating: 0, count: size)
        }
        scratch.namespaces.removeAll(keepingCapacity: true)
        var index = attributes.startIndex
        while index != attributes.endIndex {
            let facts = inspect(attributes[index].key)
            insert(facts.keyPrint, into: &scratch.prints)
            if let length = facts.namespaceLength {
                scratch.namespaces.append((index, length, facts.namespacePrint))
            } else {
                invalid.append(attributes[index].key)
            }
            attributes.formIndex(after: &index)
        }
        var clashes: [String] = []
        for (index, length, print) in scratch.namespaces where contains(print, in: scratch.prints) {
            let namespace = String(attributes[index].key.utf8.prefix(length))!
            if attributes[namespace] != nil && !clashes.contains(namespace) { clashes.append(namespace) }
        }
        guard !invalid.isEmpty || !clashes.isEmpty else { return [] }
        return invalid.sorted().map {
            SpanError(value: $0, description: "The key \"\($0)\" is not lower-case snake_case parts joined by dots")
        }
            + clashes.sorted().map {
                SpanError(value: $0, description: "The key \"\($0)\" is also the namespace of other keys on this span")
            }
    }

    struct KeyFacts {
        // Nil when the key is invalid.
        var namespaceLength: Int?
        var keyPrint: UInt64
        // The fingerprint of the namespace (0 when invalid).
        var namespacePrint: UInt64
    }

    static func inspect(_ key: String) -> KeyFacts {
        if let facts = key.utf8.withContiguousStorageIfAvailable(inspect(bytes:)) { return facts }
        return Array(key.utf8).withUnsafeBufferPointer(inspect(bytes:))
    }

    static func inspect(bytes: UnsafeBufferPointer<UInt8>) -> KeyFacts {
        let length = namespaceLength(bytes: bytes)
        return KeyFacts(
            namespaceLength: length, keyPrint: fingerprint(bytes, count: bytes.count),
            namespacePrint: length.map { fingerprint(bytes, count: $0) } ?? 0)
    }

    // A hash of the first `count` bytes, eight at a time; equal byte strings have equal fingerprints.
    static func fingerprint(_ bytes: UnsafeBufferPointer<UInt8>, count: Int) -> UInt64 {
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        guard count > 0, let base = bytes.baseAddress else { return hash }
        var offset = 0
        while offset < count {
            let remaining = count - offset
            var chunk: UInt64 = 0
            if remaining >= 8 {
                chunk = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
            } else if count >= 8 {
                // The last eight bytes, shifted so that only the ones not hashed yet remain.
                chunk = UInt64(littleEndian: UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self))
                chunk >>= UInt64(8 * (8 - remaining))
            } else {
                withUnsafeMutableBytes(of: &chunk) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: count))
                }
                chunk = UInt64(littleEndian: chunk)
            }
            hash = (hash ^ chunk) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            offset += 8
        }
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        return hash ^ hash >> 33
    }

    static func insert(_ print: UInt64, into prints: inout [UInt64]) {
        let mask = prints.count - 1
        let stored = print | 1
        var slot = Int(truncatingIfNeeded: print >> 7) & mask
        while prints[slot] != 0 {
            if prints[slot] == stored { return }
            slot = (slot + 1) & mask
        }
        prints[slot] = stored
    }

    static func contains(_ print: UInt64, in prints: [UInt64]) -> Bool {
        let mask = prints.count - 1
        let stored = print | 1
        var slot = Int(truncatingIfNeeded: print >> 7) & mask
        while prints[slot] != 0 {
            if prints[slot] == stored { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    // The UTF-8 length of a valid key's namespace (everything before its last dot), or nil when the key is invalid.
    static func namespaceLength(_ key: String) -> Int? {
        if let length = key.utf8.withContiguousStorageIfAvailable(namespaceLength(bytes:)) { return length }
        return Array(key.utf8).withUnsafeBufferPointer(namespaceLength(bytes:))
    }

    // Checks eight bytes at a time (every key of every span is checked, so this is the linter's hottest loop).
    static func namespaceLength(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = bytes.count
        guard count >= 3, let base = bytes.baseAddress else { return nil }  // the shortest valid key is "a.b"
        let padding: UInt64 = 0x6161_6161_6161_6161  // "a" bytes: valid, and no dot
        var lastDot = -1
        var offset = 0
        while offset < count {
            var chunk = padding
            if count - offset >= 8 {
                chunk = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
            } else if count >= 8 {
                // The last eight bytes, the ones already checked replaced by padding.
                let checked = UInt64(8 - (count - offset)) * 8
                offset = count - 8
                chunk = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
                chunk = chunk & ~(1 << checked &- 1) | padding & (1 << checked &- 1)
            } else {
                withUnsafeMutableBytes(of: &chunk) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: count))
                }
                chunk = UInt64(littleEndian: chunk)
            }
            guard var dots = dotsIfValid(chunk) else { return nil }
            while dots != 0 {
                let position = offset + dots.trailingZeroBitCount / 8
                // No empty part: not first, not last, not right after another dot.
                if position == 0 || position == count - 1 || position == lastDot + 1 { return nil }
                lastDot = position
                dots &= dots - 1
            }
            offset += 8
        }
        return lastDot < 0 ? nil : lastDot
    }

    // For eight bytes that are all `a-z`, `0-9`, `_` or `.`: the high bit of each dot byte set; otherwise nil.
    static func dotsIfValid(_ chunk: UInt64) -> UInt64? {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        guard chunk & high == 0 else { return nil }  // not ASCII
        // Byte-wise, without carries between bytes because every byte is below 0x80.
        func equal(_ byte: UInt8) -> UInt64 {
            let difference = chunk ^ (ones &* UInt64(byte))
            return ~(((difference & ~high) &+ ~high) | difference) & high
        }
        func within(_ low: UInt8, _ upper: UInt8) -> UInt64 {
            let atLeastLow = chunk &+ ones &* UInt64(128 - low)
            let aboveUpper = chunk &+ ones &* UInt64(127 - upper)
            return atLeastLow & ~aboveUpper & high
        }
        let dots = equal(UInt8(ascii: "."))
        let valid =
            within(UInt8(ascii: "a"), UInt8(ascii: "z")) | within(UInt8(ascii: "0"), UInt8(ascii: "9"))
            | equal(UInt8(ascii: "_")) | dots
        return valid == high ? dots : nil
    }
}

// No attribute has an empty value.
enum NoEmptyAttributes {
    static func check(_ span: SpanView) -> [SpanError] {
        var empty: [String] = []
        for (key, value) in span.attributes where value.isEmpty { empty.append(key) }
        guard !empty.isEmpty else { return [] }
        return empty.sorted().map { SpanError(value: $0, description: "The attribute \"\($0)\" has an empty value") }
    }
}

// Addresses use host names: `http.url`, `db.connection_string` and, on client spans, `net.peer.name` hold no
// IPv4 address.
enum PreferDNS {
    static let keys = ["http.url", "db.connection_string"]
    static let clientKeys = ["net.peer.name"]

    static func check(_ span: SpanView) -> [SpanError] {
        var errors: [SpanError] = []
        for key in keys { inspect(key, of: span, into: &errors) }
        if span.kind == .client { for key in clientKeys { inspect(key, of: span, into: &errors) } }
        return errors
    }

    static func inspect(_ key: String, of span: SpanView, into errors: inout [SpanError]) {
        guard let value = span.attributes[key], containsIPv4(value) else { return }
        errors.append(
            SpanError(value: key, description: "The attribute \"\(key)\" names a host by IP address: \(value)"))
    }

    // Whether the text contains a dotted quad whose parts are 0–255 (`1.2.3.4`, also inside longer text), as the
    // unanchored pattern `(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)(\.(…)){3}` finds one.
    static func containsIPv4(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ containsIPv4(bytes: $0) }) { return found }
        return Array(text.utf8).withUnsafeBufferPointer { containsIPv4(bytes: $0) }
    }

    static func containsIPv4(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isDigit(_ index: Int) -> Bool { index < bytes.count && bytes[index] &- 48 < 10 }
        // A match is: a digit, then three times a dot and a part; the first digit and the last part may be the end or
        // start of a longer run of digits, the two middle parts are whole runs of 1–3 digits worth at most 255.
        for dot in bytes.indices.dropFirst() {
            guard bytes[dot] == UInt8(ascii: "."), isDigit(dot - 1) else { continue }
            var position = dot + 1
            var matched = true
            for _ in 0..<2 {
                var value = 0
                var digits = 0
                while isDigit(position) && digits < 4 {
                    value = value * 10 + Int(bytes[position] - 48)
                    digits += 1
                    position += 1
                }
                guard (1...3).contains(digits), value <= 255, position < bytes.count,
                    bytes[position] == UInt8(ascii: ".")
                else {
                    matched = false
                    break
                }
                position += 1
            }
            if matched && isDigit(position) { return true }
        }
        return false
    }
}

// HTTP spans use HTTPS: `http.scheme` and `http.url` start with `https`; a missing one counts as insecure.
enum SecureHTTPS {
    static let keys = ["http.scheme", "http.url"]

    static func check(_ span: SpanView) -> [SpanError] {
        var errors: [SpanError] = []
        for key in keys {
            guard let value = span.attributes[key] else {
                errors.append(
                    SpanError(
                        value: key, description: "The attribute \"\(key)\" is missing, so HTTPS use is not shown"))
                continue
            }
            if !value.hasPrefix("https") {
                errors.append(SpanError(value: key, description: "The attribute \"\(key)\" is not HTTPS: \(value)"))
            }
        }
        return errors
    }
}

// HTTP spans do not record authorization or API key headers.
enum NoAPIKeyLeak {
    static let keys = [
        "http.request.header.authorization", "http.response.header.authorization",
        "http.request.header.x-api-key", "http.response.header.x-api-key",
    ]

    static func check(_ span: SpanView) -> [SpanError] {
        var errors: [SpanError] = []
        for key in keys where !span.text(key).isEmpty {
            errors.append(SpanError(value: key, description: "The attribute \"\(key)\" records a credential"))
        }
        return errors
    }
}
