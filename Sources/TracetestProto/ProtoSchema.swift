import TracetestModel

/// A set of `.proto` files whose types resolve against each other, plus the well-known `google/protobuf/*.proto`
/// types; encodes JSON requests to protobuf binary and decodes binary responses to JSON.
package struct ProtoSchema: Sendable {
    let messages: [String: MessageInfo]
    let enums: [String: EnumInfo]
    let serviceInfos: [ServiceInfo]

    /// Parses one `.proto` text. Imports of the well-known `google/protobuf/*.proto` types work without files; any
    /// other import is an error naming the file.
    package init(parsing text: String, fileName: String = "request.proto") throws(ProtoError) {
        let file = try Parser.parse(text, fileName: fileName)
        var files = [file]
        var included: Set<String> = []
        for imported in file.imports {
            guard let wellKnown = WellKnownTypes.files[imported.path] else {
                throw ProtoError(
                    "import \"\(imported.path)\" is not available: only one .proto file can be given, so copy the "
                        + "definitions this file uses from \"\(imported.path)\" into it (only the well-known types can be "
                        + "imported: \(WellKnownTypes.importableFiles))",
                    at: imported.location)
            }
            if included.insert(imported.path).inserted { files.append(wellKnown) }
        }
        try self.init(files: files)
    }

    /// Builds the schema from serialized `google.protobuf.FileDescriptorProto`s (as gRPC server reflection returns
    /// them), in any order. Missing well-known dependencies are supplied.
    package init(fileDescriptors: [[UInt8]]) throws(ProtoError) {
        guard !fileDescriptors.isEmpty else { throw ProtoError("no file descriptors were given") }
        var files: [FileDefinition] = []
        var names: Set<String> = []
        for (position, bytes) in fileDescriptors.enumerated() {
            let file = try DescriptorImport.file(from: bytes, position: position)
            if names.insert(file.name).inserted { files.append(file) }
        }
        var next = 0
        while next < files.count {
            for dependency in files[next].imports where !names.contains(dependency.path) {
                guard let wellKnown = WellKnownTypes.files[dependency.path] else {
                    throw ProtoError(
                        "\(files[next].name) imports \"\(dependency.path)\", which is not among the given file descriptors"
                    )
                }
                names.insert(dependency.path)
                files.append(wellKnown)
            }
            next += 1
        }
        try self.init(files: files)
    }

    /// The imports of `fileDescriptors` that are neither among them nor well-known types: the files to ask server
    /// reflection for (by file name) before calling `init(fileDescriptors:)`.
    package static func missingImports(in fileDescriptors: [[UInt8]]) throws(ProtoError) -> [String] {
        var files: [FileDefinition] = []
        for (position, bytes) in fileDescriptors.enumerated() {
            files.append(try DescriptorImport.file(from: bytes, position: position))
        }
        let present = Set(files.map(\.name))
        var missing: [String] = []
        for file in files {
            for dependency in file.imports
            where !present.contains(dependency.path) && WellKnownTypes.files[dependency.path] == nil
                && !missing.contains(dependency.path)
            {
                missing.append(dependency.path)
            }
        }
        return missing
    }

    private init(files: [FileDefinition]) throws(ProtoError) {
        let resolver = try Resolver(files: files)
        messages = resolver.messages
        enums = resolver.enums
        serviceInfos = resolver.services
    }

    /// The full names of the services, in declaration order.
    package var services: [String] { serviceInfos.map(\.fullName) }

    /// The method `pkg.Service.Method` or `pkg.Service/Method` (a leading `/` is allowed). An unknown service is an
    /// error listing the services; an unknown method, one listing the service's methods.
    package func method(named name: String) throws(ProtoError) -> ProtoMethod {
        var text = Substring(name)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        if text.first == "/" { text.removeFirst() }
        guard let separator = text.lastIndex(of: "/") ?? text.lastIndex(of: "."),
            separator > text.startIndex, text.index(after: separator) < text.endIndex
        else {
            throw ProtoError(
                "\"\(name)\" is not a method name: write it as package.Service.Method or package.Service/Method")
        }
        var serviceName = text[..<separator]
        if serviceName.first == "." { serviceName.removeFirst() }
        let methodName = String(text[text.index(after: separator)...])
        guard let service = serviceInfos.first(where: { $0.fullName == serviceName }) else {
            if serviceInfos.isEmpty {
                throw ProtoError("unknown service \"\(serviceName)\": the schema defines no services")
            }
            throw ProtoError(
                "unknown service \"\(serviceName)\"; the services are: \(services.joined(separator: ", "))")
        }
        guard let method = service.methods.first(where: { $0.name == methodName }) else {
            if service.methods.isEmpty {
                throw ProtoError("service \"\(service.fullName)\" has no method \"\(methodName)\"; it has no methods")
            }
            throw ProtoError(
                "service \"\(service.fullName)\" has no method \"\(methodName)\"; its methods are: "
                    + service.methods.map(\.name).joined(separator: ", "))
        }
        return method
    }

    /// JSON text (proto3 JSON mapping) as the protobuf binary of message `typeName` (a full name). Unknown fields
    /// are ignored; empty text is an empty message.
    package func encode(json: String, as typeName: String) throws(ProtoError) -> [UInt8] {
        let type = try messageName(typeName)
        var value = JSONValue.object([])
        if json.contains(where: { !$0.isWhitespace }) {
            do throws(JSONParser.SyntaxError) {
                value = try JSONParser.document(json, strictUnicode: true)
            } catch {
                throw ProtoError(
                    "the request is not valid JSON: line \(error.line), column \(error.column): \(error.problem)")
            }
        }
        return try JSONToBinary(schema: self).message(value, type: type, path: "", depth: 0)
    }

    /// The protobuf binary of message `typeName` as JSON text, as Go's protojson writes it with `EmitUnpopulated`
    /// and a two-space indent.
    package func decodeToJSON(_ bytes: [UInt8], as typeName: String) throws(ProtoError) -> String {
        let type = try messageName(typeName)
        let value = try BinaryToJSON(schema: self).message(bytes, 0..<bytes.count, type: type, path: "", depth: 0)
        return GoJSONWriter.format(value)
    }

    private func messageName(_ typeName: String) throws(ProtoError) -> String {
        let name = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
        guard let message = messages[name], !message.isMapEntry else {
            throw ProtoError("unknown message type \"\(typeName)\"")
        }
        return name
    }
}
