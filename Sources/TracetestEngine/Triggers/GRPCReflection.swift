import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import TracetestModel
import TracetestProto

/// The descriptors of a service, asked of the target's gRPC server reflection: v1, then v1alpha when the server does
/// not have v1. Its messages are encoded and decoded by ``ProtoSchema`` from their definition below.
enum GRPCReflection {
    static func schema(
        containing service: String, client: GRPCClient<HTTP2ClientTransport.Posix>, address: String
    ) async throws -> ProtoSchema {
        var lastError: RPCError?
        for version in ["v1", "v1alpha"] {
            do {
                return try await schema(containing: service, version: version, client: client, address: address)
            } catch let error as RPCError where error.code == .unimplemented {
                lastError = error
            }
        }
        throw GRPCTriggerError(
            "\(address) has no gRPC server reflection (\(lastError?.message ?? "unimplemented")): give the "
                + "service's .proto in protobufFile")
    }

    /// Asks for the file defining `service`, then for every file it imports that did not come with it.
    private static func schema(
        containing service: String, version: String, client: GRPCClient<HTTP2ClientTransport.Posix>,
        address: String
    ) async throws -> ProtoSchema {
        let messages = try ProtoSchema(parsing: definition(version), fileName: "reflection.proto")
        let requestType = "grpc.reflection.\(version).ServerReflectionRequest"
        let responseType = "grpc.reflection.\(version).ServerReflectionResponse"
        var files: [String: [UInt8]] = [:]
        var pending: [(key: String, value: String)] = [("fileContainingSymbol", service)]
        var asked: Set<String> = []
        while let (key, value) = pending.popLast() {
            guard asked.insert("\(key):\(value)").inserted else { continue }
            let request = try messages.encode(
                json: WireValue.object([key: .string(value)]).jsonText, as: requestType)
            let answer = try await ask(request, version: version, client: client)
            let response = JSONParser.parse(try messages.decodeToJSON(answer, as: responseType))
            if let error = response?["errorResponse"], error != .null {
                let text = Self.text(error["errorMessage"]) ?? ""
                if key == "fileContainingSymbol" {
                    let services = try await listServices(messages, version: version, client: client)
                    throw GRPCTriggerError(
                        "\(address) does not offer service \(service) (reflection: \(text)); it offers: "
                            + services.joined(separator: ", "))
                }
                throw GRPCTriggerError("reflection on \(address) cannot give \(value): \(text)")
            }
            for encoded in items(response?["fileDescriptorResponse"]?["fileDescriptorProto"]) {
                guard let data = Data(base64Encoded: text(encoded) ?? "") else { continue }
                let bytes = [UInt8](data)
                let file = try Google_Protobuf_FileDescriptorProto(serializedBytes: bytes)
                files[file.name] = bytes
            }
            for name in try ProtoSchema.missingImports(in: Array(files.values)) {
                pending.append(("fileByFilename", name))
            }
        }
        do {
            return try ProtoSchema(fileDescriptors: Array(files.values))
        } catch {
            throw GRPCTriggerError("the descriptors \(address) sent by reflection cannot be read: \(error)")
        }
    }

    private static func listServices(
        _ messages: ProtoSchema, version: String, client: GRPCClient<HTTP2ClientTransport.Posix>
    ) async throws -> [String] {
        let request = try messages.encode(
            json: #"{"listServices": "*"}"#, as: "grpc.reflection.\(version).ServerReflectionRequest")
        let answer = try await ask(request, version: version, client: client)
        let response = JSONParser.parse(
            try messages.decodeToJSON(answer, as: "grpc.reflection.\(version).ServerReflectionResponse"))
        return items(response?["listServicesResponse"]?["service"]).compactMap { text($0["name"]) }.sorted()
    }

    private static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    /// One request on the reflection stream, and its one answer.
    private static func ask(
        _ request: [UInt8], version: String, client: GRPCClient<HTTP2ClientTransport.Posix>
    ) async throws -> [UInt8] {
        var options = CallOptions.defaults
        options.timeout = GRPCTrigger.timeout
        options.waitForReady = false
        return try await client.bidirectionalStreaming(
            request: StreamingClientRequest { writer in try await writer.write(request) },
            descriptor: MethodDescriptor(
                fullyQualifiedService: "grpc.reflection.\(version).ServerReflection", method: "ServerReflectionInfo"),
            serializer: RawBytes(), deserializer: RawBytes(), options: options
        ) { response in
            let contents = try response.accepted.get()
            for try await part in contents.bodyParts {
                if case .message(let bytes) = part { return bytes }
            }
            throw RPCError(code: .internalError, message: "the reflection service answered nothing")
        }
    }

    /// The reflection service's messages (grpc/reflection/v1/reflection.proto), in proto3.
    static func definition(_ version: String) -> String {
        """
        syntax = "proto3";
        package grpc.reflection.\(version);
        message ServerReflectionRequest {
          string host = 1;
          oneof message_request {
            string file_by_filename = 3;
            string file_containing_symbol = 4;
            ExtensionRequest file_containing_extension = 5;
            string all_extension_numbers_of_type = 6;
            string list_services = 7;
          }
        }
        message ExtensionRequest { string containing_type = 1; int32 extension_number = 2; }
        message ServerReflectionResponse {
          string valid_host = 1;
          ServerReflectionRequest original_request = 2;
          oneof message_response {
            FileDescriptorResponse file_descriptor_response = 4;
            ExtensionNumberResponse all_extension_numbers_response = 5;
            ListServiceResponse list_services_response = 6;
            ErrorResponse error_response = 7;
          }
        }
        message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
        message ExtensionNumberResponse { string base_type_name = 1; repeated int32 extension_number = 2; }
        message ListServiceResponse { repeated ServiceResponse service = 1; }
        message ServiceResponse { string name = 1; }
        message ErrorResponse { int32 error_code = 1; string error_message = 2; }
        service ServerReflection {
          rpc ServerReflectionInfo(stream ServerReflectionRequest) returns (stream ServerReflectionResponse);
        }
        """
    }
}
