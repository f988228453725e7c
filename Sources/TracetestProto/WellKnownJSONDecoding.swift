import TracetestModel

// Binary → the JSON forms of the well-known types, read by field number without the schema's definitions.
extension BinaryToJSON {
    private struct RawField {
        var number: Int32
        var occurrence: Occurrence
    }

    private func rawFields(_ bytes: [UInt8], _ range: Range<Int>) throws(ProtoError) -> [RawField] {
        var fields: [RawField] = []
        var reader = WireReader(bytes: bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.tag()
            var occurrence = Occurrence(wireType: wireType, order: fields.count)
            switch wireType {
            case WireType.varint.rawValue: occurrence.value = try reader.varint()
            case WireType.fixed64.rawValue: occurrence.value = try reader.fixed64()
            case WireType.fixed32.rawValue: occurrence.value = UInt64(try reader.fixed32())
            case WireType.lengthDelimited.rawValue: occurrence.range = try reader.lengthDelimited()
            default:
                try reader.skip(wireType: wireType, number: number)
                continue
            }
            fields.append(RawField(number: number, occurrence: occurrence))
        }
        return fields
    }

    private func last(_ fields: [RawField], _ number: Int32, _ wireType: WireType) -> Occurrence? {
        fields.last { $0.number == number && $0.occurrence.wireType == wireType.rawValue }?.occurrence
    }

    private func all(_ fields: [RawField], _ number: Int32, _ wireType: WireType) -> [Occurrence] {
        fields.filter { $0.number == number && $0.occurrence.wireType == wireType.rawValue }.map(\.occurrence)
    }

    func wellKnown(_ bytes: [UInt8], _ range: Range<Int>, type: String, path: String, depth: Int) throws(ProtoError)
        -> JSONValue
    {
        let fields = try rawFields(bytes, range)
        if let scalarType = WellKnownJSON.wrappers[type] {
            guard let occurrence = last(fields, 1, scalarType.wireType) else {
                return defaultValue(.scalar(scalarType))
            }
            return try scalar(scalarType, occurrence, bytes, path: path)
        }
        switch type {
        case "google.protobuf.Timestamp", "google.protobuf.Duration":
            let seconds = Int64(bitPattern: last(fields, 1, .varint)?.value ?? 0)
            let nanos = Int32(truncatingIfNeeded: last(fields, 2, .varint)?.value ?? 0)
            let isTimestamp = type == "google.protobuf.Timestamp"
            let text =
                isTimestamp
                ? TimeText.formatTimestamp(seconds: seconds, nanos: nanos)
                : TimeText.formatDuration(seconds: seconds, nanos: nanos)
            guard let text else {
                throw failure(
                    path,
                    "invalid \(type) (seconds \(seconds), nanos \(nanos)): "
                        + (isTimestamp
                            ? "it must lie between 0001-01-01 and 9999-12-31 with nanos from 0 to 999999999"
                            : "it must be within ±315576000000 seconds, with nanos of the same sign below 1e9"))
            }
            return .string(text)
        case "google.protobuf.FieldMask":
            var paths: [String] = []
            for occurrence in all(fields, 1, .lengthDelimited) {
                paths.append(WellKnownJSON.camelPath(try string(bytes, occurrence.range, path: path)))
            }
            return .string(paths.joined(separator: ","))
        case "google.protobuf.Struct":
            return try structObject(fields, bytes, path: path, depth: depth)
        case "google.protobuf.ListValue":
            var items: [JSONValue] = []
            for occurrence in all(fields, 1, .lengthDelimited) {
                let itemPath = path + "[\(items.count)]"
                items.append(try value(try rawFields(bytes, occurrence.range), bytes, path: itemPath, depth: depth))
            }
            return .array(items)
        case "google.protobuf.Value":
            return try value(fields, bytes, path: path, depth: depth)
        default:
            return try any(fields, bytes, path: path, depth: depth)
        }
    }

    private func structObject(_ fields: [RawField], _ bytes: [UInt8], path: String, depth: Int) throws(ProtoError)
        -> JSONValue
    {
        var members: [String: JSONValue] = [:]
        for occurrence in all(fields, 1, .lengthDelimited) {
            let entry = try rawFields(bytes, occurrence.range)
            var key = ""
            if let keyOccurrence = last(entry, 1, .lengthDelimited) {
                key = try string(bytes, keyOccurrence.range, path: path)
            }
            let memberPath = path.isEmpty ? key : path + "." + key
            var member = JSONValue.null
            if let valueOccurrence = last(entry, 2, .lengthDelimited) {
                member = try value(try rawFields(bytes, valueOccurrence.range), bytes, path: memberPath, depth: depth)
            }
            members[key] = member
        }
        let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return .object(keys.map { JSONField(key: $0, value: members[$0] ?? .null) })
    }

    // A `google.protobuf.Value`: the kind set last; none set reads as null.
    private func value(_ fields: [RawField], _ bytes: [UInt8], path: String, depth: Int) throws(ProtoError)
        -> JSONValue
    {
        let kinds: [(Int32, WireType)] = [
            (1, .varint), (2, .fixed64), (3, .lengthDelimited), (4, .varint), (5, .lengthDelimited),
            (6, .lengthDelimited),
        ]
        guard
            let chosen = fields.last(where: { field in
                kinds.contains { $0.0 == field.number && $0.1.rawValue == field.occurrence.wireType }
            })
        else { return .null }
        let occurrence = chosen.occurrence
        switch chosen.number {
        case 1: return .null
        case 2: return NumberText.json(Double(bitPattern: occurrence.value))
        case 3: return .string(try string(bytes, occurrence.range, path: path))
        case 4: return .bool(occurrence.value != 0)
        case 5:
            return try message(bytes, occurrence.range, type: "google.protobuf.Struct", path: path, depth: depth + 1)
        default:
            return try message(bytes, occurrence.range, type: "google.protobuf.ListValue", path: path, depth: depth + 1)
        }
    }

    // `{"@type": url, ...fields}`, or `{"@type": url, "value": json}` for the well-known types.
    private func any(_ fields: [RawField], _ bytes: [UInt8], path: String, depth: Int) throws(ProtoError) -> JSONValue {
        var typeURL = ""
        if let occurrence = last(fields, 1, .lengthDelimited) {
            typeURL = try string(bytes, occurrence.range, path: path)
        }
        let payload = last(fields, 2, .lengthDelimited)?.range ?? 0..<0
        if typeURL.isEmpty {
            guard payload.isEmpty else { throw failure(path, "a google.protobuf.Any has a value but no type URL") }
            return .object([])
        }
        let typeName = String(typeURL.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        guard let info = schema.messages[typeName], !info.isMapEntry else {
            throw failure(
                path, "cannot show the google.protobuf.Any of type \"\(typeURL)\": the schema has no such message")
        }
        let inner = try message(bytes, payload, type: typeName, path: path, depth: depth + 1)
        let typeField = JSONField(key: "@type", value: .string(typeURL))
        if !WellKnownJSON.hasSpecialForm(typeName), case .object(let members) = inner {
            return .object([typeField] + members)
        }
        return .object([typeField, JSONField(key: "value", value: inner)])
    }
}
