import TracetestModel

// Decodes protobuf binary into JSON as Go's protojson renders it with `EmitUnpopulated`: fields in declaration
// order, unset scalars as defaults, unset messages as null, unset oneof members left out. Recursion follows message
// nesting, bounded by `maximumDepth`.
struct BinaryToJSON {
    static let maximumDepth = 100

    let schema: ProtoSchema

    // One value of a field on the wire.
    struct Occurrence {
        var wireType: UInt8
        var value: UInt64 = 0
        var range: Range<Int> = 0..<0
        var order: Int
    }

    func failure(_ path: String, _ reason: String) -> ProtoError {
        ProtoError(path.isEmpty ? "response: \(reason)" : "response field \"\(path)\": \(reason)")
    }

    func message(_ bytes: [UInt8], _ range: Range<Int>, type: String, path: String, depth: Int) throws(ProtoError)
        -> JSONValue
    {
        guard depth < BinaryToJSON.maximumDepth else {
            throw failure(path, "messages are nested more than \(BinaryToJSON.maximumDepth) levels deep")
        }
        if WellKnownJSON.hasSpecialForm(type) {
            return try wellKnown(bytes, range, type: type, path: path, depth: depth)
        }
        guard let info = schema.messages[type] else { throw failure(path, "unknown message type \"\(type)\"") }
        let occurrences = try scan(bytes, range, info)
        let winners = oneofWinners(info, occurrences)
        var members: [JSONField] = []
        for (index, field) in info.fields.enumerated() {
            var found = occurrences[index]
            if !field.isRepeated, let oneof = field.oneofIndex {
                guard let winner = winners[oneof], winner.field == index else { continue }
                found = found.filter { $0.order > winner.after }
            }
            let fieldPath = path.isEmpty ? field.jsonName : path + "." + field.jsonName
            members.append(
                JSONField(key: field.jsonName, value: try value(of: field, found, bytes, path: fieldPath, depth: depth))
            )
        }
        return .object(members)
    }

    // Each field's values, in wire order; values of an unexpected wire type are skipped as unknown.
    private func scan(_ bytes: [UInt8], _ range: Range<Int>, _ info: MessageInfo) throws(ProtoError) -> [[Occurrence]] {
        var occurrences = [[Occurrence]](repeating: [], count: info.fields.count)
        var reader = WireReader(bytes: bytes, range: range)
        var order = 0
        while !reader.isAtEnd {
            let (number, wireType) = try reader.tag()
            guard let index = info.indexByNumber[number], accepts(info.fields[index], wireType) else {
                try reader.skip(wireType: wireType, number: number)
                continue
            }
            var occurrence = Occurrence(wireType: wireType, order: order)
            order += 1
            switch wireType {
            case WireType.varint.rawValue: occurrence.value = try reader.varint()
            case WireType.fixed64.rawValue: occurrence.value = try reader.fixed64()
            case WireType.fixed32.rawValue: occurrence.value = UInt64(try reader.fixed32())
            default: occurrence.range = try reader.lengthDelimited()
            }
            if wireType == WireType.varint.rawValue, isUndeclared(info.fields[index].kind, occurrence.value) {
                continue
            }
            occurrences[index].append(occurrence)
        }
        return occurrences
    }

    // A number a closed (proto2) enum does not declare.
    private func isUndeclared(_ kind: FieldKind, _ value: UInt64) -> Bool {
        guard case .enumeration(let name) = kind, let info = schema.enums[name], info.isClosed else { return false }
        return info.nameByNumber[Int32(truncatingIfNeeded: value)] == nil
    }

    private func accepts(_ field: FieldInfo, _ wireType: UInt8) -> Bool {
        if wireType == field.wireType.rawValue { return true }
        return field.isRepeated && field.isPackable && wireType == WireType.lengthDelimited.rawValue
    }

    // For each oneof, the member set last, and the wire position after which its values count.
    private func oneofWinners(_ info: MessageInfo, _ occurrences: [[Occurrence]]) -> [Int: (field: Int, after: Int)] {
        var last: [Int: (field: Int, order: Int)] = [:]
        for (index, field) in info.fields.enumerated() {
            guard let oneof = field.oneofIndex, !field.isRepeated, let order = occurrences[index].last?.order else {
                continue
            }
            if let current = last[oneof], current.order > order { continue }
            last[oneof] = (index, order)
        }
        var winners: [Int: (field: Int, after: Int)] = [:]
        for (oneof, winner) in last {
            var after = -1
            for (index, field) in info.fields.enumerated() where index != winner.field && field.oneofIndex == oneof {
                if let order = occurrences[index].last?.order { after = max(after, order) }
            }
            winners[oneof] = (winner.field, after)
        }
        return winners
    }

    private func value(of field: FieldInfo, _ found: [Occurrence], _ bytes: [UInt8], path: String, depth: Int)
        throws(ProtoError) -> JSONValue
    {
        if field.isMap { return try map(field, found, bytes, path: path, depth: depth) }
        if field.isRepeated {
            var items: [JSONValue] = []
            for occurrence in found {
                if occurrence.wireType == WireType.lengthDelimited.rawValue, field.isPackable {
                    try unpack(field.kind, occurrence.range, bytes, path: path, into: &items)
                } else {
                    items.append(
                        try single(field.kind, occurrence, bytes, path: path + "[\(items.count)]", depth: depth))
                }
            }
            return .array(items)
        }
        if case .message(let type) = field.kind {
            guard let first = found.first else { return .null }
            if found.count == 1 { return try message(bytes, first.range, type: type, path: path, depth: depth + 1) }
            var merged: [UInt8] = []
            for occurrence in found { merged += bytes[occurrence.range] }
            return try message(merged, 0..<merged.count, type: type, path: path, depth: depth + 1)
        }
        if let last = found.last { return try single(field.kind, last, bytes, path: path, depth: depth) }
        if field.isProto2 { return .null }
        return defaultValue(field.kind)
    }

    func single(_ kind: FieldKind, _ occurrence: Occurrence, _ bytes: [UInt8], path: String, depth: Int)
        throws(ProtoError) -> JSONValue
    {
        switch kind {
        case .scalar(let type): return try scalar(type, occurrence, bytes, path: path)
        case .enumeration(let name): return enumValue(name, Int32(truncatingIfNeeded: occurrence.value))
        case .message(let type): return try message(bytes, occurrence.range, type: type, path: path, depth: depth + 1)
        }
    }

    private func unpack(
        _ kind: FieldKind, _ range: Range<Int>, _ bytes: [UInt8], path: String, into items: inout [JSONValue]
    )
        throws(ProtoError)
    {
        let wireType: WireType
        switch kind {
        case .scalar(let type): wireType = type.wireType
        default: wireType = .varint
        }
        var reader = WireReader(bytes: bytes, range: range)
        while !reader.isAtEnd {
            var occurrence = Occurrence(wireType: wireType.rawValue, order: 0)
            switch wireType {
            case .fixed32: occurrence.value = UInt64(try reader.fixed32())
            case .fixed64: occurrence.value = try reader.fixed64()
            default: occurrence.value = try reader.varint()
            }
            if isUndeclared(kind, occurrence.value) { continue }
            items.append(try single(kind, occurrence, bytes, path: path + "[\(items.count)]", depth: 0))
        }
    }

    func enumValue(_ name: String, _ number: Int32) -> JSONValue {
        if name == "google.protobuf.NullValue" { return .null }
        if let valueName = schema.enums[name]?.nameByNumber[number] { return .string(valueName) }
        return .number(String(number))
    }

    func defaultValue(_ kind: FieldKind) -> JSONValue {
        switch kind {
        case .scalar(let type):
            switch type {
            case .bool: return .bool(false)
            case .string, .bytes: return .string("")
            default: return type.is64BitInteger ? .string("0") : .number("0")
            }
        case .enumeration(let name): return enumValue(name, 0)
        case .message: return .null
        }
    }
}
