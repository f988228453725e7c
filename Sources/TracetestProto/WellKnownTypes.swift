// The well-known `google/protobuf/*.proto` files that a `.proto` text may import without providing them, written
// out here (binary layout only) and parsed once by our own parser.
enum WellKnownTypes {
    static let sources: [String: String] = [
        "google/protobuf/any.proto": """
        syntax = "proto3";
        package google.protobuf;
        message Any { string type_url = 1; bytes value = 2; }
        """,
        "google/protobuf/duration.proto": """
        syntax = "proto3";
        package google.protobuf;
        message Duration { int64 seconds = 1; int32 nanos = 2; }
        """,
        "google/protobuf/empty.proto": """
        syntax = "proto3";
        package google.protobuf;
        message Empty {}
        """,
        "google/protobuf/field_mask.proto": """
        syntax = "proto3";
        package google.protobuf;
        message FieldMask { repeated string paths = 1; }
        """,
        "google/protobuf/struct.proto": """
        syntax = "proto3";
        package google.protobuf;
        message Struct { map<string, Value> fields = 1; }
        message Value {
          oneof kind {
            NullValue null_value = 1;
            double number_value = 2;
            string string_value = 3;
            bool bool_value = 4;
            Struct struct_value = 5;
            ListValue list_value = 6;
          }
        }
        enum NullValue { NULL_VALUE = 0; }
        message ListValue { repeated Value values = 1; }
        """,
        "google/protobuf/timestamp.proto": """
        syntax = "proto3";
        package google.protobuf;
        message Timestamp { int64 seconds = 1; int32 nanos = 2; }
        """,
        "google/protobuf/wrappers.proto": """
        syntax = "proto3";
        package google.protobuf;
        message DoubleValue { double value = 1; }
        message FloatValue { float value = 1; }
        message Int64Value { int64 value = 1; }
        message UInt64Value { uint64 value = 1; }
        message Int32Value { int32 value = 1; }
        message UInt32Value { uint32 value = 1; }
        message BoolValue { bool value = 1; }
        message StringValue { string value = 1; }
        message BytesValue { bytes value = 1; }
        """,
        // Imported for custom option declarations (`extend google.protobuf.FieldOptions`), which are ignored; the
        // descriptor types themselves are not available.
        "google/protobuf/descriptor.proto": """
        syntax = "proto2";
        package google.protobuf;
        """,
    ]

    // The files above, parsed; a file that fails to parse (a bug, caught by the tests) is left out.
    static let files: [String: FileDefinition] = {
        var files: [String: FileDefinition] = [:]
        for (name, text) in sources {
            if let file = try? Parser.parse(text, fileName: name) { files[name] = file }
        }
        return files
    }()

    // Which file defines each well-known type, for the hint of an "unknown type" error.
    static let fileByTypeName: [String: String] = {
        var names: [String: String] = [:]
        for (fileName, file) in files {
            for message in file.messages where !message.isMapEntry { names[message.fullName] = fileName }
            for definition in file.enums { names[definition.fullName] = fileName }
        }
        return names
    }()

    static var importableFiles: String {
        sources.keys.filter { $0 != "google/protobuf/descriptor.proto" }.sorted().joined(separator: ", ")
    }
}
