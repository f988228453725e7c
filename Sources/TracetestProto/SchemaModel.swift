// The scalar field types of protobuf.
enum ScalarType: String, Sendable, CaseIterable {
    case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, bytes, uint32, sfixed32, sfixed64
    case sint32, sint64

    var wireType: WireType {
        switch self {
        case .double, .fixed64, .sfixed64: return .fixed64
        case .float, .fixed32, .sfixed32: return .fixed32
        case .string, .bytes: return .lengthDelimited
        default: return .varint
        }
    }

    var isPackable: Bool { self != .string && self != .bytes }

    var isValidMapKey: Bool { self != .double && self != .float && self != .bytes }

    // Written as a JSON string rather than a number (64-bit integers).
    var is64BitInteger: Bool {
        switch self {
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: return true
        default: return false
        }
    }
}

// What a resolved field holds.
enum FieldKind: Sendable, Equatable {
    case scalar(ScalarType)
    case message(String)
    case enumeration(String)
}

// A field of a resolved message.
struct FieldInfo: Sendable {
    var name: String
    var jsonName: String
    var number: Int32
    var kind: FieldKind
    var isRepeated: Bool
    // A map field: a repeated field of a map-entry message.
    var isMap: Bool
    // The index into the message's `oneofs`, for members of a real or synthetic (proto3 `optional`) oneof.
    var oneofIndex: Int?
    var isPacked: Bool
    // proto2 singular fields and proto3 `optional` ones: a set default value is still written.
    var hasExplicitPresence: Bool
    var isProto2: Bool

    var wireType: WireType {
        switch kind {
        case .scalar(let scalar): return scalar.wireType
        case .message: return .lengthDelimited
        case .enumeration: return .varint
        }
    }

    // Scalars and enums, which may be packed.
    var isPackable: Bool {
        switch kind {
        case .scalar(let scalar): return scalar.isPackable
        case .message: return false
        case .enumeration: return true
        }
    }
}

struct OneofInfo: Sendable {
    var name: String
    var isSynthetic: Bool
}

// A resolved message type.
struct MessageInfo: Sendable {
    var fullName: String
    var fields: [FieldInfo]
    var oneofs: [OneofInfo]
    var isMapEntry: Bool
    var indexByNumber: [Int32: Int]
    // Both the JSON name and the original name of each field.
    var indexByJSONKey: [String: Int]
}

// A resolved enum type.
struct EnumInfo: Sendable {
    var fullName: String
    var valueNames: [String]
    var numberByName: [String: Int32]
    // The first value declared with each number.
    var nameByNumber: [Int32: String]
    // A proto2 enum: values it does not declare are read as unknown fields, as Go does.
    var isClosed: Bool
}

struct ServiceInfo: Sendable {
    var fullName: String
    var methods: [ProtoMethod]
}
