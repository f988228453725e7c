import TracetestModel

// JSON forms of the well-known types → binary.
extension JSONToBinary {
    func wellKnown(_ value: JSONValue, type: String, path: String, depth: Int) throws(ProtoError) -> [UInt8] {
        var writer = WireWriter()
        if let scalarType = WellKnownJSON.wrappers[type] {
            let encoded = try scalar(scalarType, value, path: path)
            if !encoded.isZero { encoded.write(1, into: &writer) }
            return writer.bytes
        }
        switch type {
        case "google.protobuf.Timestamp":
            guard case .string(let text) = value, let (seconds, nanos) = TimeText.parseTimestamp(text) else {
                throw failure(
                    path, "expected an RFC 3339 timestamp such as \"2024-05-01T10:00:00Z\", got \(describe(value))")
            }
            writeTime(seconds, nanos, into: &writer)
        case "google.protobuf.Duration":
            guard case .string(let text) = value, let (seconds, nanos) = TimeText.parseDuration(text) else {
                throw failure(path, "expected a duration in seconds such as \"1.5s\", got \(describe(value))")
            }
            writeTime(seconds, nanos, into: &writer)
        case "google.protobuf.FieldMask":
            guard case .string(let text) = value else {
                throw failure(path, "expected a field mask such as \"name,address.city\", got \(describe(value))")
            }
            for part in text.split(separator: ",", omittingEmptySubsequences: true) {
                EncodedValue.bytes(Array(WellKnownJSON.snakePath(String(part)).utf8)).write(1, into: &writer)
            }
        case "google.protobuf.Struct":
            guard case .object(let members) = value else {
                throw failure(path, "expected a JSON object for google.protobuf.Struct, got \(describe(value))")
            }
            try writeStruct(members, path: path, depth: depth, into: &writer)
        case "google.protobuf.ListValue":
            guard case .array(let items) = value else {
                throw failure(path, "expected a JSON array for google.protobuf.ListValue, got \(describe(value))")
            }
            for (index, item) in items.enumerated() {
                EncodedValue.bytes(try valueBytes(item, path: path + "[\(index)]", depth: depth)).write(
                    1, into: &writer)
            }
        case "google.protobuf.Value":
            return try valueBytes(value, path: path, depth: depth)
        default:
            return try any(value, path: path, depth: depth)
        }
        return writer.bytes
    }

    private func writeTime(_ seconds: Int64, _ nanos: Int32, into writer: inout WireWriter) {
        if seconds != 0 { EncodedValue.varint(UInt64(bitPattern: seconds)).write(1, into: &writer) }
        if nanos != 0 { EncodedValue.varint(UInt64(bitPattern: Int64(nanos))).write(2, into: &writer) }
    }

    private func writeStruct(_ members: [JSONField], path: String, depth: Int, into writer: inout WireWriter)
        throws(ProtoError)
    {
        var seen: Set<String> = []
        for member in members {
            let memberPath = path.isEmpty ? member.key : path + "." + member.key
            guard seen.insert(member.key).inserted else { throw failure(memberPath, "the key is given twice") }
            var entry = WireWriter()
            EncodedValue.bytes(Array(member.key.utf8)).write(1, into: &entry)
            EncodedValue.bytes(try valueBytes(member.value, path: memberPath, depth: depth)).write(2, into: &entry)
            EncodedValue.bytes(entry.bytes).write(1, into: &writer)
        }
    }

    // A `google.protobuf.Value`: any JSON. Objects and arrays go one level deeper.
    private func valueBytes(_ value: JSONValue, path: String, depth: Int) throws(ProtoError) -> [UInt8] {
        var writer = WireWriter()
        switch value {
        case .null: EncodedValue.varint(0).write(1, into: &writer)
        case .number(let text):
            guard let number = Double(text), number.isFinite else {
                throw failure(path, "\(text) is out of range for a google.protobuf.Value number")
            }
            EncodedValue.fixed64(number.bitPattern).write(2, into: &writer)
        case .string(let text): EncodedValue.bytes(Array(text.utf8)).write(3, into: &writer)
        case .bool(let flag): EncodedValue.varint(flag ? 1 : 0).write(4, into: &writer)
        case .object:
            let bytes = try message(value, type: "google.protobuf.Struct", path: path, depth: depth + 1)
            EncodedValue.bytes(bytes).write(5, into: &writer)
        case .array:
            let bytes = try message(value, type: "google.protobuf.ListValue", path: path, depth: depth + 1)
            EncodedValue.bytes(bytes).write(6, into: &writer)
        }
        return writer.bytes
    }

    // `{"@type": "type.googleapis.com/pkg.Msg", ...fields}`, or `"value"` holding the JSON of a well-known type.
    private func any(_ value: JSONValue, path: String, depth: Int) throws(ProtoError) -> [UInt8] {
        guard case .object(let members) = value else {
            throw failure(path, "expected a JSON object with \"@type\" for google.protobuf.Any, got \(describe(value))")
        }
        if members.isEmpty { return [] }
        guard case .string(let typeURL) = value["@type"] ?? .null else {
            throw failure(path, "a google.protobuf.Any needs \"@type\", e.g. \"type.googleapis.com/pkg.Message\"")
        }
        let typeName = String(typeURL.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        guard let info = schema.messages[typeName], !info.isMapEntry else {
            throw failure(path, "the \"@type\" \(describe(.string(typeURL))) names no message of the schema")
        }
        let rest = members.filter { $0.key != "@type" }
        let payload: [UInt8]
        if WellKnownJSON.hasSpecialForm(typeName) {
            guard let inner = value["value"] else {
                throw failure(path, "a google.protobuf.Any of \(typeName) needs its JSON form in \"value\"")
            }
            payload = try message(inner, type: typeName, path: path + ".value", depth: depth + 1)
        } else {
            payload = try message(.object(rest), type: typeName, path: path, depth: depth + 1)
        }
        var writer = WireWriter()
        EncodedValue.bytes(Array(typeURL.utf8)).write(1, into: &writer)
        if !payload.isEmpty { EncodedValue.bytes(payload).write(2, into: &writer) }
        return writer.bytes
    }
}
