import TracetestModel

// Encodes a JSON value into the protobuf binary of a message, following the proto3 JSON mapping. Recursion follows
// message nesting, bounded by `maximumDepth`.
struct JSONToBinary {
    static let maximumDepth = 100

    let schema: ProtoSchema

    func failure(_ path: String, _ reason: String) -> ProtoError {
        ProtoError(path.isEmpty ? "request: \(reason)" : "request field \"\(path)\": \(reason)")
    }

    func message(_ value: JSONValue, type: String, path: String, depth: Int) throws(ProtoError) -> [UInt8] {
        guard depth < JSONToBinary.maximumDepth else {
            throw failure(path, "messages are nested more than \(JSONToBinary.maximumDepth) levels deep")
        }
        if WellKnownJSON.hasSpecialForm(type) {
            return try wellKnown(value, type: type, path: path, depth: depth)
        }
        guard let info = schema.messages[type] else { throw failure(path, "unknown message type \"\(type)\"") }
        guard case .object(let members) = value else {
            throw failure(path, "expected a JSON object for \(type), got \(describe(value))")
        }
        var keyByField: [Int: String] = [:]
        var fieldByOneof: [Int: String] = [:]
        var present: [(field: FieldInfo, value: JSONValue, path: String)] = []
        for member in members {
            guard let index = info.indexByJSONKey[member.key] else { continue }
            let field = info.fields[index]
            let fieldPath = path.isEmpty ? member.key : path + "." + member.key
            if let previous = keyByField[index] {
                throw failure(fieldPath, "the field is given twice (as \"\(previous)\" and \"\(member.key)\")")
            }
            keyByField[index] = member.key
            if member.value == .null, !acceptsNull(field) { continue }
            if !field.isRepeated, let oneof = field.oneofIndex, !info.oneofs[oneof].isSynthetic {
                if let other = fieldByOneof[oneof] {
                    throw failure(
                        fieldPath, "oneof \"\(info.oneofs[oneof].name)\" is already set by field \"\(other)\"")
                }
                fieldByOneof[oneof] = member.key
            }
            present.append((field, member.value, fieldPath))
        }
        present.sort { $0.field.number < $1.field.number }
        var writer = WireWriter()
        for entry in present {
            try field(entry.field, entry.value, path: entry.path, depth: depth, into: &writer)
        }
        return writer.bytes
    }

    private func acceptsNull(_ field: FieldInfo) -> Bool {
        guard !field.isRepeated else { return false }
        return field.kind == .message("google.protobuf.Value")
            || field.kind == .enumeration("google.protobuf.NullValue")
    }

    private func field(_ field: FieldInfo, _ value: JSONValue, path: String, depth: Int, into writer: inout WireWriter)
        throws(ProtoError)
    {
        if field.isMap {
            try map(field, value, path: path, depth: depth, into: &writer)
            return
        }
        guard field.isRepeated else {
            let encoded = try single(field.kind, value, path: path, depth: depth)
            if field.hasExplicitPresence || !encoded.isZero { encoded.write(field.number, into: &writer) }
            return
        }
        guard case .array(let items) = value else {
            throw failure(path, "expected a JSON array, got \(describe(value))")
        }
        var packed = WireWriter()
        for (index, item) in items.enumerated() {
            let itemPath = path + "[\(index)]"
            guard item != .null || field.kind == .message("google.protobuf.Value") else {
                throw failure(itemPath, "null is not allowed in a list")
            }
            let encoded = try single(field.kind, item, path: itemPath, depth: depth)
            if field.isPacked {
                encoded.writeValue(into: &packed)
            } else {
                encoded.write(field.number, into: &writer)
            }
        }
        if field.isPacked, !packed.bytes.isEmpty {
            writer.tag(field.number, .lengthDelimited)
            writer.lengthDelimited(packed.bytes)
        }
    }

    private func map(_ field: FieldInfo, _ value: JSONValue, path: String, depth: Int, into writer: inout WireWriter)
        throws(ProtoError)
    {
        guard case .object(let members) = value else {
            throw failure(path, "expected a JSON object for a map, got \(describe(value))")
        }
        guard case .message(let entryName) = field.kind, let entry = schema.messages[entryName],
            entry.fields.count == 2, case .scalar(let keyType) = entry.fields[0].kind
        else { throw failure(path, "the map entry type of the field is malformed") }
        let valueKind = entry.fields[1].kind
        var seen: Set<String> = []
        for member in members {
            let entryPath = path + "[\"\(member.key)\"]"
            guard seen.insert(member.key).inserted else { throw failure(entryPath, "the map key is given twice") }
            let keyJSON: JSONValue
            switch keyType {
            case .bool:
                guard member.key == "true" || member.key == "false" else {
                    throw failure(entryPath, "expected a map key of true or false, got \"\(member.key)\"")
                }
                keyJSON = .bool(member.key == "true")
            default:
                keyJSON = .string(member.key)
            }
            guard member.value != .null || valueKind == .message("google.protobuf.Value") else {
                throw failure(entryPath, "null is not allowed as a map value")
            }
            var entryWriter = WireWriter()
            try scalar(keyType, keyJSON, path: entryPath).write(1, into: &entryWriter)
            try single(valueKind, member.value, path: entryPath, depth: depth).write(2, into: &entryWriter)
            writer.tag(field.number, .lengthDelimited)
            writer.lengthDelimited(entryWriter.bytes)
        }
    }

    func single(_ kind: FieldKind, _ value: JSONValue, path: String, depth: Int) throws(ProtoError) -> EncodedValue {
        switch kind {
        case .scalar(let type): return try scalar(type, value, path: path)
        case .enumeration(let name): return .varint(UInt64(bitPattern: Int64(try enumNumber(name, value, path: path))))
        case .message(let name): return .bytes(try message(value, type: name, path: path, depth: depth + 1))
        }
    }

    private func enumNumber(_ name: String, _ value: JSONValue, path: String) throws(ProtoError) -> Int32 {
        if name == "google.protobuf.NullValue", value == .null { return 0 }
        switch value {
        case .string(let text):
            guard let info = schema.enums[name] else { throw failure(path, "unknown enum type \"\(name)\"") }
            guard let number = info.numberByName[text] else {
                let shown = info.valueNames.prefix(20).joined(separator: ", ")
                throw failure(
                    path,
                    "unknown value \"\(text)\" of enum \(name); the values are: \(shown)"
                        + (info.valueNames.count > 20 ? ", ..." : ""))
            }
            return number
        case .number:
            return Int32(
                try integer(value, path: path, type: "enum \(name)", range: Int64(Int32.min)...Int64(Int32.max)))
        default:
            throw failure(path, "expected the name or number of a value of enum \(name), got \(describe(value))")
        }
    }

    func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text.count > 40 ? String(text.prefix(40)) + "..." : text
        case .string(let text):
            var quoted = ""
            WireValue.writeJSONString(text.count > 40 ? String(text.prefix(40)) + "..." : text, into: &quoted)
            return quoted
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

// One encoded field value, before its tag.
enum EncodedValue {
    case varint(UInt64)
    case fixed32(UInt32)
    case fixed64(UInt64)
    case bytes([UInt8])

    // The default value of a scalar, which proto3 leaves out.
    var isZero: Bool {
        switch self {
        case .varint(let value): return value == 0
        case .fixed32(let value): return value == 0
        case .fixed64(let value): return value == 0
        case .bytes(let bytes): return bytes.isEmpty
        }
    }

    func write(_ number: Int32, into writer: inout WireWriter) {
        switch self {
        case .varint: writer.tag(number, .varint)
        case .fixed32: writer.tag(number, .fixed32)
        case .fixed64: writer.tag(number, .fixed64)
        case .bytes: writer.tag(number, .lengthDelimited)
        }
        writeValue(into: &writer)
    }

    func writeValue(into writer: inout WireWriter) {
        switch self {
        case .varint(let value): writer.varint(value)
        case .fixed32(let value): writer.fixed32(value)
        case .fixed64(let value): writer.fixed64(value)
        case .bytes(let bytes): writer.lengthDelimited(bytes)
        }
    }
}
