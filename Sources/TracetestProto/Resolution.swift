// Resolves the type names of a set of files against each other, as protoc does, and checks what protoc checks
// about fields, enums and methods.
struct Resolver {
    private enum Symbol {
        case package
        case message(isMapEntry: Bool)
        case enumeration
        case service

        var isType: Bool {
            switch self {
            case .message, .enumeration: return true
            case .package, .service: return false
            }
        }
    }

    private enum Lookup {
        case found(String)
        case notFound
        // The first part of a dotted name was found, but not the whole name.
        case partial(String)
    }

    private var symbols: [String: Symbol] = [:]
    private var definedIn: [String: String] = [:]
    private(set) var messages: [String: MessageInfo] = [:]
    private(set) var enums: [String: EnumInfo] = [:]
    private(set) var services: [ServiceInfo] = []

    init(files: [FileDefinition]) throws(ProtoError) {
        for file in files { try register(file) }
        for file in files {
            for definition in file.enums { enums[definition.fullName] = try resolveEnum(definition, file) }
            for definition in file.messages { messages[definition.fullName] = try resolveMessage(definition, file) }
            for definition in file.services { services.append(try resolveService(definition)) }
        }
    }

    // MARK: Symbols

    private mutating func register(_ file: FileDefinition) throws(ProtoError) {
        var prefix = ""
        for part in file.package.split(separator: ".") {
            prefix = prefix.isEmpty ? String(part) : prefix + "." + part
            if let existing = symbols[prefix], !isPackage(existing) {
                throw ProtoError(
                    "package \"\(prefix)\" of \(file.name) clashes with a type of the same name in "
                        + (definedIn[prefix] ?? "another file"))
            }
            symbols[prefix] = .package
        }
        for message in file.messages {
            try define(message.fullName, .message(isMapEntry: message.isMapEntry), file, message.location)
        }
        for definition in file.enums { try define(definition.fullName, .enumeration, file, definition.location) }
        for service in file.services { try define(service.fullName, .service, file, service.location) }
    }

    private func isPackage(_ symbol: Symbol) -> Bool {
        if case .package = symbol { return true }
        return false
    }

    private mutating func define(
        _ name: String, _ symbol: Symbol, _ file: FileDefinition, _ location: SourceLocation?
    ) throws(ProtoError) {
        if let existing = symbols[name] {
            let place = isPackage(existing) ? "as a package" : "in " + (definedIn[name] ?? file.name)
            throw ProtoError("\"\(name)\" is already defined \(place)", at: location)
        }
        symbols[name] = symbol
        definedIn[name] = file.name
    }

    // Relative names are searched from the innermost scope outwards; the first scope holding the name's first part
    // decides.
    private func lookup(_ name: String, from scope: String) -> Lookup {
        if name.hasPrefix(".") {
            let full = String(name.dropFirst())
            return symbols[full]?.isType == true ? .found(full) : .notFound
        }
        let firstPart = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        var scope = Substring(scope)
        while true {
            let candidate = scope.isEmpty ? firstPart : scope + "." + firstPart
            if let symbol = symbols[candidate] {
                if firstPart.count < name.count {
                    let full = scope.isEmpty ? name : scope + "." + name
                    return symbols[full]?.isType == true ? .found(full) : .partial(full)
                }
                if symbol.isType { return .found(candidate) }
            }
            guard !scope.isEmpty else { return .notFound }
            scope = scope.lastIndex(of: ".").map { scope[..<$0] } ?? ""
        }
    }

    private func resolveType(_ reference: TypeReference, from scope: String) throws(ProtoError) -> FieldKind {
        switch lookup(reference.name, from: scope) {
        case .found(let full):
            if case .enumeration = symbols[full] { return .enumeration(full) }
            return .message(full)
        case .partial(let full):
            throw ProtoError(
                "unknown type \"\(reference.name)\": it resolves to \"\(full)\", which is not defined (names are looked "
                    + "up from the innermost scope; write \".\(reference.name)\" for a fully qualified name)",
                at: reference.location)
        case .notFound:
            let bare = reference.name.hasPrefix(".") ? String(reference.name.dropFirst()) : reference.name
            var hint = ""
            if let file = WellKnownTypes.fileByTypeName[bare] {
                hint = ": add import \"\(file)\""
            } else if let file = WellKnownTypes.fileByTypeName["google.protobuf." + bare] {
                hint = ": did you mean google.protobuf.\(bare) (from import \"\(file)\")?"
            }
            throw ProtoError("unknown type \"\(reference.name)\"\(hint)", at: reference.location)
        }
    }

    // MARK: Messages

    private func resolveMessage(_ definition: MessageDefinition, _ file: FileDefinition) throws(ProtoError)
        -> MessageInfo
    {
        var info = MessageInfo(
            fullName: definition.fullName, fields: [],
            oneofs: definition.oneofs.map { OneofInfo(name: $0.name, isSynthetic: $0.isSynthetic) },
            isMapEntry: definition.isMapEntry, indexByNumber: [:], indexByJSONKey: [:])
        var indexByName: [String: Int] = [:]
        var indexByJSONName: [String: Int] = [:]
        for field in definition.fields {
            let place = "message \"\(definition.fullName)\""
            if let other = info.indexByNumber[Int32(field.number)] {
                throw ProtoError(
                    "field number \(field.number) of \"\(field.name)\" is already used by field \"\(info.fields[other].name)\" in \(place)",
                    at: field.numberLocation ?? field.location)
            }
            if indexByName[field.name] != nil {
                throw ProtoError("field \"\(field.name)\" is defined twice in \(place)", at: field.location)
            }
            if definition.reservedNumbers.contains(where: { $0.contains(field.number) }) {
                throw ProtoError(
                    "field \"\(field.name)\" uses number \(field.number), which is reserved in \(place)",
                    at: field.numberLocation ?? field.location)
            }
            if definition.reservedNames.contains(field.name) {
                throw ProtoError("field name \"\(field.name)\" is reserved in \(place)", at: field.location)
            }
            let jsonName = field.jsonName ?? Resolver.jsonName(field.name)
            if let other = indexByJSONName[jsonName], file.isProto3 {
                throw ProtoError(
                    "the JSON name \"\(jsonName)\" of field \"\(field.name)\" is also the JSON name of field "
                        + "\"\(info.fields[other].name)\" in \(place)",
                    at: field.location)
            }
            let resolved = try resolveField(field, jsonName: jsonName, file, scope: definition.fullName)
            let index = info.fields.count
            info.fields.append(resolved)
            info.indexByNumber[resolved.number] = index
            indexByName[field.name] = index
            if indexByJSONName[jsonName] == nil { indexByJSONName[jsonName] = index }
        }
        info.indexByJSONKey = indexByName.merging(indexByJSONName) { _, json in json }
        return info
    }

    private func resolveField(_ field: FieldDefinition, jsonName: String, _ file: FileDefinition, scope: String)
        throws(ProtoError) -> FieldInfo
    {
        let kind: FieldKind
        switch field.type {
        case .scalar(let scalar): kind = .scalar(scalar)
        case .named(let reference): kind = try resolveType(reference, from: scope)
        }
        let isRepeated = field.label == .repeated
        var isMap = false
        if isRepeated, case .message(let target) = kind, case .message(isMapEntry: true) = symbols[target] {
            isMap = true
        }
        var info = FieldInfo(
            name: field.name, jsonName: jsonName, number: Int32(field.number), kind: kind, isRepeated: isRepeated,
            isMap: isMap, oneofIndex: field.oneofIndex, isPacked: false, hasExplicitPresence: false,
            isProto2: !file.isProto3)
        info.isPacked = isRepeated && info.isPackable && (field.packed ?? file.isProto3)
        if case .message = kind {
            info.hasExplicitPresence = !isRepeated
        } else {
            info.hasExplicitPresence = !isRepeated && (!file.isProto3 || field.oneofIndex != nil)
        }
        return info
    }

    // `foo_bar` → `fooBar`, as protoc derives JSON names.
    static func jsonName(_ name: String) -> String {
        camelCased(name, capitalizingFirst: false)
    }

    // Underscores dropped, the letter after each one (and the first, if asked) upper-cased.
    static func camelCased(_ name: String, capitalizingFirst: Bool) -> String {
        var result = ""
        var capitalizeNext = capitalizingFirst
        for character in name {
            if character == "_" {
                capitalizeNext = true
            } else if capitalizeNext {
                result += character.isASCII ? character.uppercased() : String(character)
                capitalizeNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    // MARK: Enums and services

    private func resolveEnum(_ definition: EnumDefinition, _ file: FileDefinition) throws(ProtoError) -> EnumInfo {
        guard let first = definition.values.first else {
            throw ProtoError("enum \"\(definition.fullName)\" has no values", at: definition.location)
        }
        if file.isProto3, first.number != 0 {
            throw ProtoError(
                "the first value of enum \"\(definition.fullName)\" must be zero in proto3, found \(first.name) = \(first.number)",
                at: first.location)
        }
        var info = EnumInfo(
            fullName: definition.fullName, valueNames: [], numberByName: [:], nameByNumber: [:],
            isClosed: !file.isProto3)
        for value in definition.values {
            let number = Int32(value.number)
            if info.numberByName[value.name] != nil {
                throw ProtoError(
                    "enum value \"\(value.name)\" is defined twice in enum \"\(definition.fullName)\"",
                    at: value.location)
            }
            if let other = info.nameByNumber[number] {
                guard definition.allowAlias else {
                    throw ProtoError(
                        "enum value \(value.name) = \(number) reuses the number of \(other) in enum \"\(definition.fullName)\"; "
                            + "add option allow_alias = true; to allow aliases",
                        at: value.location)
                }
            } else {
                info.nameByNumber[number] = value.name
            }
            info.numberByName[value.name] = number
            info.valueNames.append(value.name)
        }
        return info
    }

    private func resolveService(_ definition: ServiceDefinition) throws(ProtoError) -> ServiceInfo {
        var methods: [ProtoMethod] = []
        for method in definition.methods {
            if methods.contains(where: { $0.name == method.name }) {
                throw ProtoError(
                    "method \"\(method.name)\" is defined twice in service \"\(definition.fullName)\"",
                    at: method.location)
            }
            let input = try resolveMethodType(method.inputType, scope: definition.fullName, role: "request")
            let output = try resolveMethodType(method.outputType, scope: definition.fullName, role: "response")
            methods.append(
                ProtoMethod(
                    service: definition.fullName, name: method.name, inputType: input, outputType: output,
                    clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming))
        }
        return ServiceInfo(fullName: definition.fullName, methods: methods)
    }

    private func resolveMethodType(_ reference: TypeReference, scope: String, role: String) throws(ProtoError) -> String
    {
        guard case .message(let name) = try resolveType(reference, from: scope) else {
            throw ProtoError(
                "\"\(reference.name)\" is an enum, but the \(role) type of a method must be a message",
                at: reference.location)
        }
        return name
    }
}
