// A `.proto` file as written (or as a `FileDescriptorProto` describes it), before type names are resolved. Messages
// and enums are listed flat, with their full names.
struct FileDefinition: Sendable {
    var name: String
    var package: String = ""
    var isProto3 = false
    var imports: [ImportDefinition] = []
    var messages: [MessageDefinition] = []
    var enums: [EnumDefinition] = []
    var services: [ServiceDefinition] = []
}

struct ImportDefinition: Sendable {
    var path: String
    var location: SourceLocation?
}

// A reference to a message or enum type as written: relative (`Pokemon`, `inner.Type`) or fully qualified
// (`.pkg.Type`).
struct TypeReference: Sendable {
    var name: String
    var location: SourceLocation?
}

enum FieldTypeDefinition: Sendable {
    case scalar(ScalarType)
    case named(TypeReference)
}

struct FieldDefinition: Sendable {
    enum Label: Sendable { case none, optional, required, repeated }

    var name: String
    var number: Int64
    var label: Label
    var type: FieldTypeDefinition
    var jsonName: String?
    var oneofIndex: Int?
    var isProto3Optional = false
    var packed: Bool?
    var location: SourceLocation?
    var numberLocation: SourceLocation?
}

struct OneofDefinition: Sendable {
    var name: String
    var isSynthetic: Bool
}

struct MessageDefinition: Sendable {
    var fullName: String
    var fields: [FieldDefinition] = []
    var oneofs: [OneofDefinition] = []
    var isMapEntry = false
    var reservedNumbers: [ClosedRange<Int64>] = []
    var reservedNames: [String] = []
    var location: SourceLocation?
}

struct EnumValueDefinition: Sendable {
    var name: String
    var number: Int64
    var location: SourceLocation?
}

struct EnumDefinition: Sendable {
    var fullName: String
    var values: [EnumValueDefinition] = []
    var allowAlias = false
    var location: SourceLocation?
}

struct MethodDefinition: Sendable {
    var name: String
    var inputType: TypeReference
    var outputType: TypeReference
    var clientStreaming: Bool
    var serverStreaming: Bool
    var location: SourceLocation?
}

struct ServiceDefinition: Sendable {
    var fullName: String
    var methods: [MethodDefinition] = []
    var location: SourceLocation?
}
