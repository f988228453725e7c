// Messages, fields, oneofs, maps, reserved ranges and ignored extend blocks.
extension Parser {
    static let maximumFieldNumber: Int64 = 536_870_911

    mutating func parseMessage(scope: String) throws(ProtoError) {
        next()
        let nameToken = try expectIdentifier("a message name", "after \"message\"")
        let fullName = scope.isEmpty ? nameToken.text : scope + "." + nameToken.text
        try expectSymbol("{", "after the message name")
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maximumNesting else {
            throw ProtoError(
                "messages are nested more than \(Parser.maximumNesting) levels deep", at: nameToken.location)
        }
        let position = file.messages.count
        file.messages.append(MessageDefinition(fullName: fullName))
        var message = MessageDefinition(fullName: fullName, location: nameToken.location)
        try parseMessageBody(&message, closing: "message \"\(nameToken.text)\"")
        file.messages[position] = message
    }

    mutating func parseMessageBody(_ message: inout MessageDefinition, closing: String) throws(ProtoError) {
        while !consumeSymbol("}") {
            if current.kind == .end { throw expected("\"}\"", "to close \(closing)") }
            if consumeSymbol(";") { continue }
            switch current.kind == .identifier ? current.text : "" {
            case "message": try parseMessage(scope: message.fullName)
            case "enum": try parseEnum(scope: message.fullName)
            case "oneof": try parseOneof(&message)
            case "option": _ = try parseOptionStatement()
            case "reserved": try parseReserved(&message)
            case "extensions":
                next()
                _ = try parseRanges(maximum: Parser.maximumFieldNumber, allowNegative: false)
                if current.isSymbol("[") { _ = try parseBracketedOptions() }
                try expectSymbol(";", "after the extension ranges")
            case "extend": try parseExtend()
            case "map" where peekToken(1).isSymbol("<"): try parseMapField(&message)
            default: try parseField(&message, oneof: nil)
            }
        }
    }

    // `extend Type { fields }`: parsed for syntax, then dropped (extensions are not supported).
    mutating func parseExtend() throws(ProtoError) {
        next()
        _ = try parseDottedName("the extended type", "after \"extend\"", allowLeadingDot: true)
        try expectSymbol("{", "after the extended type")
        var ignored = MessageDefinition(fullName: "")
        while !consumeSymbol("}") {
            if current.kind == .end { throw expected("\"}\"", "to close the extend block") }
            if consumeSymbol(";") { continue }
            try parseField(&ignored, oneof: nil)
        }
    }

    mutating func parseField(_ message: inout MessageDefinition, oneof: Int?) throws(ProtoError) {
        let labelToken = current
        var label = FieldDefinition.Label.none
        switch current.kind == .identifier ? current.text : "" {
        case "optional": label = .optional
        case "required": label = .required
        case "repeated": label = .repeated
        default: break
        }
        if label != .none {
            if oneof != nil {
                throw ProtoError(
                    "fields in a oneof must not have a label (optional, required or repeated)", at: labelToken.location)
            }
            if label == .required, file.isProto3 {
                throw ProtoError("required fields are not allowed in proto3", at: labelToken.location)
            }
            next()
            if current.isIdentifier("map"), peekToken(1).isSymbol("<") {
                throw ProtoError(
                    "map fields must not have a label (optional, required or repeated)", at: labelToken.location)
            }
        }
        if current.isIdentifier("group"), peekToken(1).kind == .identifier {
            throw ProtoError(
                "groups are not supported: declare a nested message and a field of that type", at: current.location)
        }
        let typeLocation = current.location
        let typeName = try parseDottedName(
            "a field type or \"}\"", "in \(describeScope(message, oneof))", allowLeadingDot: true)
        let nameToken = try expectIdentifier("a field name", "after the field type")
        try expectSymbol("=", "after the field name")
        let (number, numberLocation) = try parseFieldNumber()
        let type: FieldTypeDefinition =
            if let scalar = ScalarType(rawValue: typeName) {
                .scalar(scalar)
            } else {
                .named(TypeReference(name: typeName, location: typeLocation))
            }
        var field = FieldDefinition(
            name: nameToken.text, number: number, label: label, type: type, oneofIndex: oneof,
            location: nameToken.location, numberLocation: numberLocation)
        if current.isSymbol("[") {
            try applyFieldOptions(&field)
            try expectSymbol(";", "after the field options")
        } else {
            try expectSymbol(";", "after the field number")
        }
        if label == .optional, file.isProto3 {
            field.isProto3Optional = true
            field.oneofIndex = message.oneofs.count
            message.oneofs.append(OneofDefinition(name: syntheticOneofName(field.name, message), isSynthetic: true))
        }
        message.fields.append(field)
    }

    private func describeScope(_ message: MessageDefinition, _ oneof: Int?) -> String {
        let messageName = message.fullName.split(separator: ".").last.map(String.init) ?? message.fullName
        if let oneof, oneof < message.oneofs.count { return "oneof \"\(message.oneofs[oneof].name)\"" }
        if message.fullName.isEmpty { return "the extend block" }
        return "message \"\(messageName)\""
    }

    private func syntheticOneofName(_ fieldName: String, _ message: MessageDefinition) -> String {
        var name = "_" + fieldName
        while message.oneofs.contains(where: { $0.name == name }) { name = "X" + name }
        return name
    }

    mutating func parseFieldNumber() throws(ProtoError) -> (Int64, SourceLocation) {
        let token = current
        guard token.kind == .integer else { throw expected("a field number", "after \"=\"") }
        next()
        guard let value = token.integerValue, value >= 1, value <= UInt64(Parser.maximumFieldNumber) else {
            throw ProtoError(
                "field number \(token.text) is out of range: it must be between 1 and \(Parser.maximumFieldNumber)",
                at: token.location)
        }
        if (19000...19999).contains(value) {
            throw ProtoError(
                "field number \(value) is reserved for the protobuf implementation (19000 to 19999)", at: token.location
            )
        }
        return (Int64(value), token.location)
    }

    private mutating func parseMapField(_ message: inout MessageDefinition) throws(ProtoError) {
        next()
        next()
        let keyToken = current
        let keyName = try parseDottedName("a map key type", "after \"map<\"", allowLeadingDot: true)
        guard let key = ScalarType(rawValue: keyName), key.isValidMapKey else {
            throw ProtoError(
                "map key type must be an integer type, bool or string, found \"\(keyName)\"", at: keyToken.location)
        }
        try expectSymbol(",", "after the map key type")
        let valueLocation = current.location
        let valueName = try parseDottedName("a map value type", "after the map key type", allowLeadingDot: true)
        try expectSymbol(">", "after the map value type")
        let nameToken = try expectIdentifier("a field name", "after the map type")
        try expectSymbol("=", "after the field name")
        let (number, numberLocation) = try parseFieldNumber()
        let entryName = Parser.mapEntryName(nameToken.text)
        var field = FieldDefinition(
            name: nameToken.text, number: number, label: .repeated,
            type: .named(TypeReference(name: entryName, location: nameToken.location)),
            location: nameToken.location, numberLocation: numberLocation)
        if current.isSymbol("[") {
            try applyFieldOptions(&field)
            try expectSymbol(";", "after the field options")
        } else {
            try expectSymbol(";", "after the field number")
        }
        field.packed = nil
        let valueType: FieldTypeDefinition =
            if let scalar = ScalarType(rawValue: valueName) {
                .scalar(scalar)
            } else {
                .named(TypeReference(name: valueName, location: valueLocation))
            }
        var entry = MessageDefinition(fullName: message.fullName + "." + entryName, isMapEntry: true)
        entry.location = nameToken.location
        entry.fields = [
            FieldDefinition(name: "key", number: 1, label: .optional, type: .scalar(key), location: keyToken.location),
            FieldDefinition(name: "value", number: 2, label: .optional, type: valueType, location: valueLocation),
        ]
        file.messages.append(entry)
        message.fields.append(field)
    }

    // `my_field` → `MyFieldEntry`, as protoc names the entry message of a map field.
    static func mapEntryName(_ fieldName: String) -> String {
        Resolver.camelCased(fieldName, capitalizingFirst: true) + "Entry"
    }

    private mutating func parseOneof(_ message: inout MessageDefinition) throws(ProtoError) {
        next()
        let nameToken = try expectIdentifier("a oneof name", "after \"oneof\"")
        try expectSymbol("{", "after the oneof name")
        let oneofIndex = message.oneofs.count
        message.oneofs.append(OneofDefinition(name: nameToken.text, isSynthetic: false))
        while !consumeSymbol("}") {
            if current.kind == .end { throw expected("\"}\"", "to close oneof \"\(nameToken.text)\"") }
            if consumeSymbol(";") { continue }
            if current.isIdentifier("option") {
                _ = try parseOptionStatement()
            } else if current.isIdentifier("map"), peekToken(1).isSymbol("<") {
                throw ProtoError("map fields are not allowed in a oneof", at: current.location)
            } else {
                try parseField(&message, oneof: oneofIndex)
            }
        }
    }

    private mutating func parseReserved(_ message: inout MessageDefinition) throws(ProtoError) {
        next()
        if current.kind == .string || current.kind == .identifier {
            repeat {
                if current.kind == .string {
                    message.reservedNames.append(next().text)
                } else {
                    message.reservedNames.append(try expectIdentifier("a field name", "in \"reserved\"").text)
                }
            } while consumeSymbol(",")
        } else {
            message.reservedNumbers += try parseRanges(maximum: Parser.maximumFieldNumber, allowNegative: false)
        }
        try expectSymbol(";", "after the reserved fields")
    }

    // `1, 5 to 10, 20 to max`.
    mutating func parseRanges(maximum: Int64, allowNegative: Bool) throws(ProtoError) -> [ClosedRange<Int64>] {
        var ranges: [ClosedRange<Int64>] = []
        repeat {
            let low = try parseRangeBound(allowNegative: allowNegative, maximum: maximum)
            var high = low
            if current.isIdentifier("to") {
                next()
                if current.isIdentifier("max") {
                    next()
                    high = maximum
                } else {
                    high = try parseRangeBound(allowNegative: allowNegative, maximum: maximum)
                }
            }
            guard low <= high else {
                throw ProtoError(
                    "the range \(low) to \(high) is empty: its end is below its start", at: current.location)
            }
            ranges.append(low...high)
        } while consumeSymbol(",")
        return ranges
    }

    private mutating func parseRangeBound(allowNegative: Bool, maximum: Int64) throws(ProtoError) -> Int64 {
        let negative = allowNegative && consumeSymbol("-")
        let token = current
        guard token.kind == .integer else { throw expected("a number", "in the range") }
        next()
        guard let magnitude = token.integerValue, magnitude <= UInt64(maximum) + (negative ? 1 : 0) else {
            throw ProtoError(
                "\(token.text) is out of range: the largest allowed here is \(maximum)", at: token.location)
        }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }
}
