import Foundation
import SwiftProtobuf
import Testing
import TracetestModel

@testable import TracetestProto

// Binary written and read by swift-protobuf's own message types agrees with our codec.
@Suite struct ProtoSwiftProtobufInteropTests {
    let schema: ProtoSchema

    let descriptorSchema: ProtoSchema

    init() throws {
        schema = try ProtoSchema(parsing: ProtoFixtures.scalars)
        descriptorSchema = try ProtoSchema(parsing: ProtoInteropFixtures.descriptorSubset)
    }

    @Test func timestampsAndDurations() throws {
        for (seconds, nanos) in [
            (Int64(1_700_000_000), Int32(500_000_000)), (0, 0), (-1, 1), (253_402_300_799, 999_999_999),
            (-62_135_596_800, 0),
        ] {
            let timestamp = Google_Protobuf_Timestamp(seconds: seconds, nanos: nanos)
            let ours = try schema.decodeToJSON(try timestamp.serializedBytes(), as: "google.protobuf.Timestamp")
            #expect(ours == (try timestamp.jsonString()))
            #expect(
                try Google_Protobuf_Timestamp(
                    serializedBytes: schema.encode(json: ours, as: "google.protobuf.Timestamp")) == timestamp)
        }
        for (seconds, nanos) in [(Int64(1), Int32(500_000_000)), (0, -1_000), (-3, -5), (315_576_000_000, 0)] {
            let duration = Google_Protobuf_Duration(seconds: seconds, nanos: nanos)
            let ours = try schema.decodeToJSON(try duration.serializedBytes(), as: "google.protobuf.Duration")
            #expect(ours == (try duration.jsonString()))
            #expect(
                try Google_Protobuf_Duration(serializedBytes: schema.encode(json: ours, as: "google.protobuf.Duration"))
                    == duration)
        }
    }

    @Test func structsAndValues() throws {
        let value: Google_Protobuf_Struct = [
            "name": "pikachu", "level": 25.5, "shiny": true, "owner": nil,
            "moves": Google_Protobuf_Value(listValue: ["thunder", 1, Google_Protobuf_Value(structValue: ["x": -0.125])]
            ),
            "stats": Google_Protobuf_Value(structValue: ["hp": 35, "nested": Google_Protobuf_Value(structValue: [:])]),
        ]
        let ours = try #require(
            ProtoFixtures.json(try schema.decodeToJSON(try value.serializedBytes(), as: "google.protobuf.Struct")))
        let theirs = try #require(ProtoFixtures.json(try value.jsonString()))
        #expect(ProtoInteropFixtures.sameValue(ours, theirs))
        guard case .object(let members) = ours else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["level", "moves", "name", "owner", "shiny", "stats"])
        let encoded = try schema.encode(json: try value.jsonString(), as: "google.protobuf.Struct")
        #expect(try Google_Protobuf_Struct(serializedBytes: encoded) == value)
    }

    @Test func wrappersFieldMasksAndAny() throws {
        func check<M: SwiftProtobuf.Message>(_ message: M, _ type: String) throws {
            let ours = try schema.decodeToJSON(try message.serializedBytes(), as: type)
            #expect(
                ProtoInteropFixtures.sameValue(ProtoFixtures.json(ours), ProtoFixtures.json(try message.jsonString())),
                "\(type): \(ours)")
            // Byte for byte: swift-protobuf writes fields in number order, as we do.
            #expect(try schema.encode(json: ours, as: type) == message.serializedBytes() as [UInt8], "\(type)")
        }
        try check(Google_Protobuf_Int64Value(-9_007_199_254_740_993), "google.protobuf.Int64Value")
        try check(Google_Protobuf_UInt64Value(UInt64.max), "google.protobuf.UInt64Value")
        try check(Google_Protobuf_Int32Value(Int32.min), "google.protobuf.Int32Value")
        try check(Google_Protobuf_UInt32Value(UInt32.max), "google.protobuf.UInt32Value")
        try check(Google_Protobuf_DoubleValue(0.1), "google.protobuf.DoubleValue")
        try check(Google_Protobuf_FloatValue(1.25), "google.protobuf.FloatValue")
        try check(Google_Protobuf_BoolValue(true), "google.protobuf.BoolValue")
        try check(Google_Protobuf_StringValue("añ \"q\""), "google.protobuf.StringValue")
        try check(Google_Protobuf_BytesValue(Data([0, 255, 128, 7])), "google.protobuf.BytesValue")
        try check(Google_Protobuf_FieldMask(protoPaths: ["foo_bar", "baz.qux_quux", "x"]), "google.protobuf.FieldMask")
        try check(Google_Protobuf_ListValue(values: [1, "a", nil, true]), "google.protobuf.ListValue")
        try check(Google_Protobuf_Empty(), "google.protobuf.Empty")
        try check(
            try Google_Protobuf_Any(message: Google_Protobuf_Duration(seconds: 3, nanos: 1)), "google.protobuf.Any")
        try check(try Google_Protobuf_Any(message: Google_Protobuf_Struct(fields: ["a": 1])), "google.protobuf.Any")
    }

    // A proto2 message with nested messages, enums, repeated and optional fields: swift-protobuf's own
    // `FileDescriptorProto`, read through a schema we parse from text.
    @Test func aFileDescriptorProtoReadsAsSwiftProtobufWritesIt() throws {
        let file = ProtoInteropFixtures.itemFile
        let ours = try #require(
            ProtoFixtures.json(
                try descriptorSchema.decodeToJSON(try file.serializedBytes(), as: "google.protobuf.FileDescriptorProto")
            ))
        let theirs = try #require(ProtoFixtures.json(try file.jsonString()))
        #expect(ProtoInteropFixtures.covers(ours, theirs))
        #expect(ours["messageType"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 1)
        #expect(ours["syntax"] == .string("proto3"))
        // Our JSON back to binary reads as the same message.
        let encoded = try descriptorSchema.encode(
            json: try file.jsonString(), as: "google.protobuf.FileDescriptorProto")
        #expect(try Google_Protobuf_FileDescriptorProto(serializedBytes: encoded) == file)
        let ourJSON = try descriptorSchema.decodeToJSON(
            try file.serializedBytes(), as: "google.protobuf.FileDescriptorProto")
        #expect(
            try Google_Protobuf_FileDescriptorProto(
                serializedBytes: descriptorSchema.encode(json: ourJSON, as: "google.protobuf.FileDescriptorProto"))
                == file)
    }
}

enum ProtoInteropFixtures {
    // Part of descriptor.proto, written out for these tests (proto2: presence, enums, nesting).
    static let descriptorSubset = """
        syntax = "proto2";
        package google.protobuf;
        message FileDescriptorProto {
          optional string name = 1;
          optional string package = 2;
          repeated string dependency = 3;
          repeated DescriptorProto message_type = 4;
          repeated EnumDescriptorProto enum_type = 5;
          repeated ServiceDescriptorProto service = 6;
          optional string syntax = 12;
        }
        message DescriptorProto {
          optional string name = 1;
          repeated FieldDescriptorProto field = 2;
          repeated DescriptorProto nested_type = 3;
          repeated EnumDescriptorProto enum_type = 4;
          optional MessageOptions options = 7;
          repeated OneofDescriptorProto oneof_decl = 8;
        }
        message FieldDescriptorProto {
          enum Type {
            TYPE_DOUBLE = 1; TYPE_FLOAT = 2; TYPE_INT64 = 3; TYPE_UINT64 = 4; TYPE_INT32 = 5; TYPE_FIXED64 = 6;
            TYPE_FIXED32 = 7; TYPE_BOOL = 8; TYPE_STRING = 9; TYPE_GROUP = 10; TYPE_MESSAGE = 11; TYPE_BYTES = 12;
            TYPE_UINT32 = 13; TYPE_ENUM = 14; TYPE_SFIXED32 = 15; TYPE_SFIXED64 = 16; TYPE_SINT32 = 17; TYPE_SINT64 = 18;
          }
          enum Label { LABEL_OPTIONAL = 1; LABEL_REQUIRED = 2; LABEL_REPEATED = 3; }
          optional string name = 1;
          optional int32 number = 3;
          optional Label label = 4;
          optional Type type = 5;
          optional string type_name = 6;
          optional FieldOptions options = 8;
          optional int32 oneof_index = 9;
          optional string json_name = 10;
          optional bool proto3_optional = 17;
        }
        message OneofDescriptorProto { optional string name = 1; }
        message EnumDescriptorProto { optional string name = 1; repeated EnumValueDescriptorProto value = 2; }
        message EnumValueDescriptorProto { optional string name = 1; optional int32 number = 2; }
        message ServiceDescriptorProto { optional string name = 1; repeated MethodDescriptorProto method = 2; }
        message MethodDescriptorProto {
          optional string name = 1;
          optional string input_type = 2;
          optional string output_type = 3;
          optional bool client_streaming = 5 [default = false];
          optional bool server_streaming = 6 [default = false];
        }
        message MessageOptions { optional bool map_entry = 7; }
        message FieldOptions { optional bool packed = 2; }
        """

    static func field(
        _ name: String, _ number: Int32, _ type: Google_Protobuf_FieldDescriptorProto.TypeEnum,
        label: Google_Protobuf_FieldDescriptorProto.Label = .optional, typeName: String? = nil, oneof: Int32? = nil,
        jsonName: String? = nil
    ) -> Google_Protobuf_FieldDescriptorProto {
        var field = Google_Protobuf_FieldDescriptorProto()
        field.name = name
        field.number = number
        field.type = type
        field.label = label
        if let typeName { field.typeName = typeName }
        if let oneof { field.oneofIndex = oneof }
        field.jsonName = jsonName ?? Resolver.jsonName(name)
        return field
    }

    // shop/item.proto: a message with a map, a oneof, a proto3 optional field, a well-known type and types from
    // shop/common.proto; a service with a streaming method.
    static var itemFile: Google_Protobuf_FileDescriptorProto {
        var entry = Google_Protobuf_DescriptorProto()
        entry.name = "ChildrenEntry"
        entry.field = [field("key", 1, .string), field("value", 2, .message, typeName: ".shop.Item")]
        entry.options.mapEntry = true

        var item = Google_Protobuf_DescriptorProto()
        item.name = "Item"
        var count = field("count", 7, .int32, oneof: 1)
        count.proto3Optional = true
        item.field = [
            field("name", 1, .string),
            field("ids", 2, .int64, label: .repeated),
            field("children", 3, .message, label: .repeated, typeName: ".shop.Item.ChildrenEntry"),
            field("at", 4, .message, typeName: ".google.protobuf.Timestamp"),
            field("text", 5, .string, oneof: 0),
            field("price", 6, .message, typeName: ".shop.Money", oneof: 0),
            count,
            field("status", 8, .enum, typeName: ".shop.Status", jsonName: "state"),
        ]
        item.nestedType = [entry]
        var kind = Google_Protobuf_OneofDescriptorProto()
        kind.name = "kind"
        var synthetic = Google_Protobuf_OneofDescriptorProto()
        synthetic.name = "_count"
        item.oneofDecl = [kind, synthetic]

        var get = Google_Protobuf_MethodDescriptorProto()
        get.name = "Get"
        get.inputType = ".shop.Item"
        get.outputType = ".shop.Item"
        var watch = Google_Protobuf_MethodDescriptorProto()
        watch.name = "Watch"
        watch.inputType = ".google.protobuf.Timestamp"
        watch.outputType = ".shop.Item"
        watch.serverStreaming = true
        var service = Google_Protobuf_ServiceDescriptorProto()
        service.name = "Items"
        service.method = [get, watch]

        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "shop/item.proto"
        file.package = "shop"
        file.syntax = "proto3"
        file.dependency = ["google/protobuf/timestamp.proto", "shop/common.proto"]
        file.messageType = [item]
        file.service = [service]
        return file
    }

    static var commonFile: Google_Protobuf_FileDescriptorProto {
        var money = Google_Protobuf_DescriptorProto()
        money.name = "Money"
        money.field = [field("units", 1, .int64), field("currency", 2, .string, jsonName: "cur")]
        var status = Google_Protobuf_EnumDescriptorProto()
        status.name = "Status"
        status.value = [("UNKNOWN", 0), ("ACTIVE", 1)].map { name, number in
            var value = Google_Protobuf_EnumValueDescriptorProto()
            value.name = name
            value.number = Int32(number)
            return value
        }
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = "shop/common.proto"
        file.package = "shop"
        file.syntax = "proto3"
        file.messageType = [money]
        file.enumType = [status]
        return file
    }

    // The same two files as one `.proto` text.
    static let itemText = """
        syntax = "proto3";
        package shop;
        import "google/protobuf/timestamp.proto";
        message Item {
          string name = 1;
          repeated int64 ids = 2;
          map<string, Item> children = 3;
          google.protobuf.Timestamp at = 4;
          oneof kind { string text = 5; Money price = 6; }
          optional int32 count = 7;
          Status status = 8 [json_name = "state"];
        }
        message Money { int64 units = 1; string currency = 2 [json_name = "cur"]; }
        enum Status { UNKNOWN = 0; ACTIVE = 1; }
        service Items {
          rpc Get (Item) returns (Item);
          rpc Watch (google.protobuf.Timestamp) returns (stream Item);
        }
        """

    // Equal JSON values, with numbers compared by value and object members in any order.
    static func sameValue(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (.number(let x)?, .number(let y)?): return Double(x) == Double(y)
        case (.array(let x)?, .array(let y)?): return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case (.object(let x)?, .object(let y)?):
            return x.count == y.count
                && x.allSatisfy { member in sameValue(member.value, y.first { $0.key == member.key }?.value) }
        default: return a == b
        }
    }

    // `ours` has every member of `theirs` (swift-protobuf leaves unset fields out) with the same value, and its other
    // members are unpopulated: null, [], {}, or a proto3 default.
    static func covers(_ ours: JSONValue?, _ theirs: JSONValue?) -> Bool {
        switch (ours, theirs) {
        case (.object(let x)?, .object(let y)?):
            let theirsCovered = y.allSatisfy { member in covers(x.first { $0.key == member.key }?.value, member.value) }
            let restUnpopulated = x.allSatisfy { member in
                y.contains { $0.key == member.key } || [.null, .array([]), .object([])].contains(member.value)
            }
            return theirsCovered && restUnpopulated
        case (.array(let x)?, .array(let y)?): return x.count == y.count && zip(x, y).allSatisfy { covers($0, $1) }
        default: return sameValue(ours, theirs)
        }
    }
}
