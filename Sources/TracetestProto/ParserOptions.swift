// Options: parsed for syntax; only `json_name`, `packed`, `default` (refused in proto3) and `allow_alias` matter.
extension Parser {
    enum OptionValue: Sendable, Equatable {
        case identifier(String)
        case number(String)
        case string(String)
        case aggregate
    }

    // `option name = value;`
    mutating func parseOptionStatement() throws(ProtoError) -> (String, OptionValue) {
        next()
        let name = try parseOptionName()
        try expectSymbol("=", "after the option name")
        let value = try parseOptionValue()
        try expectSymbol(";", "after the option value")
        return (name, value)
    }

    // `[name = value, ...]`
    mutating func parseBracketedOptions() throws(ProtoError) -> [(String, OptionValue, SourceLocation)] {
        next()
        var options: [(String, OptionValue, SourceLocation)] = []
        repeat {
            let location = current.location
            let name = try parseOptionName()
            try expectSymbol("=", "after the option name")
            options.append((name, try parseOptionValue(), location))
        } while consumeSymbol(",")
        try expectSymbol("]", "after the options")
        return options
    }

    mutating func applyFieldOptions(_ field: inout FieldDefinition) throws(ProtoError) {
        for (name, value, location) in try parseBracketedOptions() {
            switch name {
            case "default":
                if file.isProto3 {
                    throw ProtoError("default values are not allowed in proto3", at: location)
                }
                if field.label == .repeated {
                    throw ProtoError("repeated fields cannot have a default value", at: location)
                }
            case "json_name":
                guard case .string(let jsonName) = value else {
                    throw ProtoError("the json_name option must be a string", at: location)
                }
                field.jsonName = jsonName
            case "packed":
                guard case .identifier(let flag) = value, flag == "true" || flag == "false" else {
                    throw ProtoError("the packed option must be true or false", at: location)
                }
                field.packed = flag == "true"
            default:
                break
            }
        }
    }

    // `name`, `(ext.name)`, `(ext).sub.field`.
    private mutating func parseOptionName() throws(ProtoError) -> String {
        var name = try parseOptionNamePart()
        while consumeSymbol(".") {
            name += "." + (try parseOptionNamePart())
        }
        return name
    }

    private mutating func parseOptionNamePart() throws(ProtoError) -> String {
        if consumeSymbol("(") {
            let inner = try parseDottedName("an extension name", "after \"(\"", allowLeadingDot: true)
            try expectSymbol(")", "after the extension name")
            return "(" + inner + ")"
        }
        return try expectIdentifier("an option name", "here").text
    }

    private mutating func parseOptionValue() throws(ProtoError) -> OptionValue {
        if current.isSymbol("{") {
            try skipAggregate()
            return .aggregate
        }
        var sign = ""
        if current.isSymbol("-") || current.isSymbol("+") { sign = next().text }
        switch current.kind {
        case .integer, .float:
            return .number(sign + next().text)
        case .identifier:
            let name = try parseDottedName("an option value", "after \"=\"", allowLeadingDot: false)
            return sign.isEmpty ? .identifier(name) : .number(sign + name)
        case .string where sign.isEmpty:
            return .string(try expectString("a string", "here"))
        default:
            throw expected("an option value", sign.isEmpty ? "after \"=\"" : "after \"\(sign)\"")
        }
    }

    // Skips `{ ... }` in text format, counting braces rather than recursing.
    private mutating func skipAggregate() throws(ProtoError) {
        next()
        var open = 1
        while open > 0 {
            if current.kind == .end { throw expected("\"}\"", "to close the option value") }
            if current.isSymbol("{") { open += 1 }
            if current.isSymbol("}") { open -= 1 }
            next()
        }
    }
}
