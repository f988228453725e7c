import SwiftProtobuf

// Turns serialized `google.protobuf.FileDescriptorProto`s (what gRPC server reflection returns) into
// `FileDefinition`s. Nested messages are walked with a work list, not recursion.
enum DescriptorImport {
    static func file(from bytes: [UInt8], position: Int) throws(ProtoError) -> FileDefinition {
        let proto: Google_Protobuf_FileDescriptorProto
        do {
            proto = try Google_Protobuf_FileDescriptorProto(serializedBytes: bytes)
        } catch {
            throw ProtoError(
                "file descriptor #\(position + 1) is not a valid google.protobuf.FileDescriptorProto: \(error)")
        }
        let name = proto.name.isEmpty ? "descriptor #\(position + 1)" : proto.name
        var file = FileDefinition(name: name, package: proto.package)
        switch proto.syntax {
        case "proto3": file.isProto3 = true
        case "", "proto2": file.isProto3 = false
        case "editions":
            throw ProtoError("\(name) uses protobuf editions, which are not supported (only proto2 and proto3 are)")
        default:
            throw ProtoError("\(name) declares syntax \"\(proto.syntax)\"; expected \"proto2\" or \"proto3\"")
        }
        file.imports = proto.dependency.map { ImportDefinition(path: $0) }
        let prefix = proto.package.isEmpty ? "" : proto.package + "."
        for definition in proto.enumType {
            file.enums.append(enumeration(definition, fullName: prefix + definition.name))
        }
        var pending = proto.messageType.map { (prefix + $0.name, $0) }
        var next = 0
        while next < pending.count {
            let (fullName, message) = pending[next]
            next += 1
            file.messages.append(try self.message(message, fullName: fullName, file: name))
            for definition in message.enumType {
                file.enums.append(enumeration(definition, fullName: fullName + "." + definition.name))
            }
            pending += message.nestedType.map { (fullName + "." + $0.name, $0) }
        }
        for service in proto.service {
            var definition = ServiceDefinition(fullName: prefix + service.name)
            for method in service.method {
                definition.methods.append(
                    MethodDefinition(
                        name: method.name, inputType: TypeReference(name: method.inputType),
                        outputType: TypeReference(name: method.outputType), clientStreaming: method.clientStreaming,
                        serverStreaming: method.serverStreaming))
            }
            file.services.append(definition)
        }
        return file
    }

    private static func message(_ proto: Google_Protobuf_DescriptorProto, fullName: String, file: String)
        throws(ProtoError) -> MessageDefinition
    {
        var definition = MessageDefinition(fullName: fullName, isMapEntry: proto.options.mapEntry)
        definition.reservedNumbers = proto.reservedRange.compactMap { range in
            range.start < range.end ? Int64(range.start)...Int64(range.end - 1) : nil
        }
        definition.reservedNames = proto.reservedName
        var synthetic = Set<Int>()
        for field in proto.field where field.proto3Optional && field.hasOneofIndex {
            synthetic.insert(Int(field.oneofIndex))
        }
        definition.oneofs = proto.oneofDecl.enumerated().map { index, oneof in
            OneofDefinition(name: oneof.name, isSynthetic: synthetic.contains(index))
        }
        for field in proto.field {
            let place = "field \"\(field.name)\" of \(fullName) in \(file)"
            guard field.number >= 1, Int64(field.number) <= Parser.maximumFieldNumber else {
                throw ProtoError("\(place) has the invalid number \(field.number)")
            }
            if field.hasOneofIndex, field.oneofIndex < 0 || Int(field.oneofIndex) >= proto.oneofDecl.count {
                throw ProtoError("\(place) refers to oneof #\(field.oneofIndex), which the message does not declare")
            }
            definition.fields.append(
                FieldDefinition(
                    name: field.name, number: Int64(field.number), label: label(field.label),
                    type: try type(field, place: place), jsonName: field.hasJsonName ? field.jsonName : nil,
                    oneofIndex: field.hasOneofIndex ? Int(field.oneofIndex) : nil,
                    isProto3Optional: field.proto3Optional,
                    packed: field.options.hasPacked ? field.options.packed : nil))
        }
        return definition
    }

    private static func label(_ label: Google_Protobuf_FieldDescriptorProto.Label) -> FieldDefinition.Label {
        switch label {
        case .repeated: return .repeated
        case .required: return .required
        default: return .optional
        }
    }

    private static func type(_ field: Google_Protobuf_FieldDescriptorProto, place: String) throws(ProtoError)
        -> FieldTypeDefinition
    {
        if !field.hasType {
            guard !field.typeName.isEmpty else { throw ProtoError("\(place) has neither a type nor a type name") }
            return .named(TypeReference(name: field.typeName))
        }
        switch field.type {
        case .double: return .scalar(.double)
        case .float: return .scalar(.float)
        case .int64: return .scalar(.int64)
        case .uint64: return .scalar(.uint64)
        case .int32: return .scalar(.int32)
        case .fixed64: return .scalar(.fixed64)
        case .fixed32: return .scalar(.fixed32)
        case .bool: return .scalar(.bool)
        case .string: return .scalar(.string)
        case .bytes: return .scalar(.bytes)
        case .uint32: return .scalar(.uint32)
        case .sfixed32: return .scalar(.sfixed32)
        case .sfixed64: return .scalar(.sfixed64)
        case .sint32: return .scalar(.sint32)
        case .sint64: return .scalar(.sint64)
        case .group: throw ProtoError("\(place) is a group, which is not supported")
        case .message, .enum:
            guard !field.typeName.isEmpty else { throw ProtoError("\(place) has no type name") }
            return .named(TypeReference(name: field.typeName))
        }
    }

    private static func enumeration(_ proto: Google_Protobuf_EnumDescriptorProto, fullName: String) -> EnumDefinition {
        var definition = EnumDefinition(fullName: fullName, allowAlias: proto.options.allowAlias)
        definition.values = proto.value.map { EnumValueDefinition(name: $0.name, number: Int64($0.number)) }
        return definition
    }
}
