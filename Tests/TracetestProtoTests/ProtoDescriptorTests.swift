import SwiftProtobuf
import Testing
import TracetestModel

@testable import TracetestProto

// Schemas from serialized `FileDescriptorProto`s, as gRPC server reflection returns them.
@Suite struct ProtoDescriptorTests {
    private func descriptors(_ files: [Google_Protobuf_FileDescriptorProto]) throws -> [[UInt8]] {
        try files.map { try $0.serializedBytes() }
    }

    @Test func buildsASchemaFromDescriptorsInAnyOrder() throws {
        let schema = try ProtoSchema(
            fileDescriptors: descriptors([ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile]))
        #expect(schema.services == ["shop.Items"])
        #expect(
            try schema.method(named: "shop.Items/Get")
                == ProtoMethod(
                    service: "shop.Items", name: "Get", inputType: "shop.Item", outputType: "shop.Item",
                    clientStreaming: false, serverStreaming: false))
        let watch = try schema.method(named: "shop.Items.Watch")
        #expect(watch.inputType == "google.protobuf.Timestamp" && watch.serverStreaming)
        let item = try #require(schema.messages["shop.Item"])
        #expect(item.fields[2].isMap)
        #expect(item.fields[6].hasExplicitPresence && item.oneofs[1].isSynthetic)
        #expect(item.fields[7].jsonName == "state")
        #expect(item.fields[1].isPacked)
    }

    @Test func descriptorsAndTextGiveTheSameCodec() throws {
        let fromDescriptors = try ProtoSchema(
            fileDescriptors: descriptors([ProtoInteropFixtures.commonFile, ProtoInteropFixtures.itemFile]))
        let fromText = try ProtoSchema(parsing: ProtoInteropFixtures.itemText)
        let json = """
            {"name": "box", "ids": ["1", 2, "-3"], "children": {"a": {"name": "inner", "count": 0}},
             "at": "2024-01-02T03:04:05.006Z", "price": {"units": "10", "cur": "EUR"}, "count": 0, "state": "ACTIVE"}
            """
        let bytes = try fromDescriptors.encode(json: json, as: "shop.Item")
        #expect(bytes == (try fromText.encode(json: json, as: "shop.Item")))
        let text = try fromDescriptors.decodeToJSON(bytes, as: "shop.Item")
        #expect(text == (try fromText.decodeToJSON(bytes, as: "shop.Item")))
        #expect(
            text == """
                {
                  "name": "box",
                  "ids": [
                    "1",
                    "2",
                    "-3"
                  ],
                  "children": {
                    "a": {
                      "name": "inner",
                      "ids": [],
                      "children": {},
                      "at": null,
                      "count": 0,
                      "state": "UNKNOWN"
                    }
                  },
                  "at": "2024-01-02T03:04:05.006Z",
                  "price": {
                    "units": "10",
                    "cur": "EUR"
                  },
                  "count": 0,
                  "state": "ACTIVE"
                }
                """)
    }

    @Test func duplicateFilesAreReadOnce() throws {
        let files = try descriptors([
            ProtoInteropFixtures.commonFile, ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile,
        ])
        #expect(try ProtoSchema(fileDescriptors: files).services == ["shop.Items"])
    }

    @Test func providedWellKnownFilesAreUsed() throws {
        var timestamp = Google_Protobuf_FileDescriptorProto()
        timestamp.name = "google/protobuf/timestamp.proto"
        timestamp.package = "google.protobuf"
        timestamp.syntax = "proto3"
        var message = Google_Protobuf_DescriptorProto()
        message.name = "Timestamp"
        message.field = [
            ProtoInteropFixtures.field("seconds", 1, .int64), ProtoInteropFixtures.field("nanos", 2, .int32),
        ]
        timestamp.messageType = [message]
        let schema = try ProtoSchema(
            fileDescriptors: descriptors([timestamp, ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile]))
        let bytes = try schema.encode(json: #"{"at": "1970-01-01T00:00:01Z"}"#, as: "shop.Item")
        #expect(bytes == [0x22, 2, 0x08, 1])
    }

    @Test func missingImportsNameTheFilesToFetch() throws {
        let item = try descriptors([ProtoInteropFixtures.itemFile])
        #expect(try ProtoSchema.missingImports(in: item) == ["shop/common.proto"])
        let both = try descriptors([ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile])
        #expect(try ProtoSchema.missingImports(in: both) == [])
    }

    // The reflection protocol's own messages go through the same codec: a request as JSON, an answer carrying
    // serialized descriptors as bytes, which then build the schema.
    @Test func reflectionMessagesCarryDescriptors() throws {
        let reflection = try ProtoSchema(
            parsing: """
                syntax = "proto3";
                package grpc.reflection.v1;
                message ServerReflectionRequest {
                  string host = 1;
                  oneof message_request { string file_by_filename = 3; string file_containing_symbol = 4; string list_services = 7; }
                }
                message ServerReflectionResponse {
                  string valid_host = 1;
                  ServerReflectionRequest original_request = 2;
                  oneof message_response { FileDescriptorResponse file_descriptor_response = 4; ErrorResponse error_response = 7; }
                }
                message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
                message ErrorResponse { int32 error_code = 1; string error_message = 2; }
                service ServerReflection {
                  rpc ServerReflectionInfo (stream ServerReflectionRequest) returns (stream ServerReflectionResponse);
                }
                """, fileName: "reflection.proto")
        let request = try reflection.encode(
            json: #"{"fileContainingSymbol": "shop.Items"}"#, as: "grpc.reflection.v1.ServerReflectionRequest")
        #expect(request == [0x22, 10] + Array("shop.Items".utf8))
        let files = try descriptors([ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile])
        var inner = WireWriter()
        for file in files {
            inner.tag(1, .lengthDelimited)
            inner.lengthDelimited(file)
        }
        var answer = WireWriter()
        answer.tag(4, .lengthDelimited)
        answer.lengthDelimited(inner.bytes)
        let json = try #require(
            ProtoFixtures.json(
                try reflection.decodeToJSON(answer.bytes, as: "grpc.reflection.v1.ServerReflectionResponse")))
        #expect(json["errorResponse"] == nil)
        #expect(json["validHost"] == .string(""))
        #expect(json["originalRequest"] == .null)
        guard case .array(let encoded)? = json["fileDescriptorResponse"]?["fileDescriptorProto"] else {
            Issue.record("no descriptors in \(json)")
            return
        }
        let decoded = encoded.compactMap { value -> [UInt8]? in
            if case .string(let text) = value { return Base64.decode(text) }
            return nil
        }
        #expect(decoded == files)
        #expect(try ProtoSchema(fileDescriptors: decoded).services == ["shop.Items"])
    }

    @Test func errors() throws {
        #expect(
            throws: ProtoError(
                "shop/item.proto imports \"shop/common.proto\", which is not among the given file descriptors")
        ) {
            try ProtoSchema(fileDescriptors: descriptors([ProtoInteropFixtures.itemFile]))
        }
        #expect(throws: ProtoError("no file descriptors were given")) { try ProtoSchema(fileDescriptors: []) }
        do {
            _ = try ProtoSchema(fileDescriptors: [[0xFF]])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("file descriptor #1 is not a valid google.protobuf.FileDescriptorProto: "))
        }
        var editions = ProtoInteropFixtures.commonFile
        editions.syntax = "editions"
        #expect(
            throws: ProtoError(
                "shop/common.proto uses protobuf editions, which are not supported (only proto2 and proto3 are)")
        ) {
            try ProtoSchema(fileDescriptors: descriptors([editions]))
        }
        var missingType = ProtoInteropFixtures.commonFile
        missingType.messageType[0].field[0].typeName = ".shop.Nothing"
        missingType.messageType[0].field[0].type = .message
        #expect(throws: ProtoError("unknown type \".shop.Nothing\"")) {
            try ProtoSchema(fileDescriptors: descriptors([missingType]))
        }
        var group = ProtoInteropFixtures.commonFile
        group.messageType[0].field[0].type = .group
        #expect(
            throws: ProtoError("field \"units\" of shop.Money in shop/common.proto is a group, which is not supported")
        ) {
            try ProtoSchema(fileDescriptors: descriptors([group]))
        }
        var badNumber = ProtoInteropFixtures.commonFile
        badNumber.messageType[0].field[0].number = 0
        #expect(throws: ProtoError("field \"units\" of shop.Money in shop/common.proto has the invalid number 0")) {
            try ProtoSchema(fileDescriptors: descriptors([badNumber]))
        }
        var badOneof = ProtoInteropFixtures.commonFile
        badOneof.messageType[0].field[0].oneofIndex = 3
        #expect(
            throws: ProtoError(
                "field \"units\" of shop.Money in shop/common.proto refers to oneof #3, which the message does not declare"
            )
        ) {
            try ProtoSchema(fileDescriptors: descriptors([badOneof]))
        }
    }
}
