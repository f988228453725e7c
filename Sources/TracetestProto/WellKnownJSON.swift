// The well-known types whose JSON form is not an object of their fields.
enum WellKnownJSON {
    static let wrappers: [String: ScalarType] = [
        "google.protobuf.DoubleValue": .double, "google.protobuf.FloatValue": .float,
        "google.protobuf.Int64Value": .int64, "google.protobuf.UInt64Value": .uint64,
        "google.protobuf.Int32Value": .int32, "google.protobuf.UInt32Value": .uint32,
        "google.protobuf.BoolValue": .bool, "google.protobuf.StringValue": .string,
        "google.protobuf.BytesValue": .bytes,
    ]

    static let others: Set<String> = [
        "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.Struct", "google.protobuf.Value",
        "google.protobuf.ListValue", "google.protobuf.FieldMask", "google.protobuf.Any",
    ]

    static func hasSpecialForm(_ type: String) -> Bool { wrappers[type] != nil || others.contains(type) }

    // `foo_bar.baz` → `fooBar.baz`.
    static func camelPath(_ path: String) -> String { Resolver.jsonName(path) }

    // `fooBar.baz` → `foo_bar.baz`.
    static func snakePath(_ path: String) -> String {
        var result = ""
        for character in path {
            if character.isASCII, character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
