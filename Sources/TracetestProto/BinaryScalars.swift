import TracetestModel

// Scalars and maps of a decoded message.
extension BinaryToJSON {
    func scalar(_ type: ScalarType, _ occurrence: Occurrence, _ bytes: [UInt8], path: String) throws(ProtoError)
        -> JSONValue
    {
        let raw = occurrence.value
        switch type {
        case .int32: return .number(String(Int32(truncatingIfNeeded: raw)))
        case .sint32:
            let bits = UInt32(truncatingIfNeeded: raw)
            return .number(String(Int32(bitPattern: (bits >> 1) ^ (0 &- (bits & 1)))))
        case .sfixed32: return .number(String(Int32(bitPattern: UInt32(truncatingIfNeeded: raw))))
        case .uint32, .fixed32: return .number(String(UInt32(truncatingIfNeeded: raw)))
        case .int64, .sfixed64: return .string(String(Int64(bitPattern: raw)))
        case .sint64: return .string(String(Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))))
        case .uint64, .fixed64: return .string(String(raw))
        case .bool: return .bool(raw != 0)
        case .float: return NumberText.json(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case .double: return NumberText.json(Double(bitPattern: raw))
        case .string: return .string(try string(bytes, occurrence.range, path: path))
        case .bytes: return .string(Base64.encode(bytes[occurrence.range]))
        }
    }

    func string(_ bytes: [UInt8], _ range: Range<Int>, path: String) throws(ProtoError) -> String {
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw failure(path, "the string is not valid UTF-8")
        }
        return text
    }

    // A JSON object with the keys sorted as Go sorts map keys (numerically, false before true, strings by bytes).
    func map(_ field: FieldInfo, _ found: [Occurrence], _ bytes: [UInt8], path: String, depth: Int) throws(ProtoError)
        -> JSONValue
    {
        guard case .message(let entryName) = field.kind, let entry = schema.messages[entryName],
            entry.fields.count == 2, case .scalar(let keyType) = entry.fields[0].kind
        else { throw failure(path, "the map entry type of the field is malformed") }
        let valueField = entry.fields[1]
        var entries: [(key: String, value: JSONValue)] = []
        var positionByKey: [String: Int] = [:]
        for occurrence in found {
            let entryFields = try scanEntry(bytes, occurrence.range, entry)
            var key = defaultValue(.scalar(keyType))
            if let keyOccurrence = entryFields.key { key = try scalar(keyType, keyOccurrence, bytes, path: path) }
            let keyText = Self.keyText(key)
            let entryPath = path + "[\"\(keyText)\"]"
            let value: JSONValue
            if entryFields.values.isEmpty {
                if case .message(let type) = valueField.kind {
                    value = try message(bytes, 0..<0, type: type, path: entryPath, depth: depth + 1)
                } else {
                    value = defaultValue(valueField.kind)
                }
            } else if case .message = valueField.kind {
                var merged: [UInt8] = []
                for occurrence in entryFields.values { merged += bytes[occurrence.range] }
                value = try single(
                    valueField.kind, Occurrence(wireType: 2, range: 0..<merged.count, order: 0), merged,
                    path: entryPath, depth: depth)
            } else if let last = entryFields.values.last {
                value = try single(valueField.kind, last, bytes, path: entryPath, depth: depth)
            } else {
                value = .null
            }
            if let position = positionByKey[keyText] {
                entries[position].value = value
            } else {
                positionByKey[keyText] = entries.count
                entries.append((keyText, value))
            }
        }
        entries.sort { Self.keyOrder(keyType, $0.key, $1.key) }
        return .object(entries.map { JSONField(key: $0.key, value: $0.value) })
    }

    private func scanEntry(_ bytes: [UInt8], _ range: Range<Int>, _ entry: MessageInfo) throws(ProtoError)
        -> (key: Occurrence?, values: [Occurrence])
    {
        var key: Occurrence?
        var values: [Occurrence] = []
        var reader = WireReader(bytes: bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.tag()
            let index = Int(number) - 1
            guard index == 0 || index == 1, wireType == entry.fields[index].wireType.rawValue else {
                try reader.skip(wireType: wireType, number: number)
                continue
            }
            var occurrence = Occurrence(wireType: wireType, order: 0)
            switch wireType {
            case WireType.varint.rawValue: occurrence.value = try reader.varint()
            case WireType.fixed64.rawValue: occurrence.value = try reader.fixed64()
            case WireType.fixed32.rawValue: occurrence.value = UInt64(try reader.fixed32())
            default: occurrence.range = try reader.lengthDelimited()
            }
            if index == 0 { key = occurrence } else { values.append(occurrence) }
        }
        return (key, values)
    }

    private static func keyText(_ key: JSONValue) -> String {
        switch key {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: return ""
        }
    }

    private static func keyOrder(_ type: ScalarType, _ a: String, _ b: String) -> Bool {
        switch type {
        case .string: return a.utf8.lexicographicallyPrecedes(b.utf8)
        case .bool: return a == "false" && b == "true"
        case .uint32, .uint64, .fixed32, .fixed64: return (UInt64(a) ?? 0) < (UInt64(b) ?? 0)
        default: return (Int64(a) ?? 0) < (Int64(b) ?? 0)
        }
    }
}
