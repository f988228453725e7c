// Enums and their values.
extension Parser {
    mutating func parseEnum(scope: String) throws(ProtoError) {
        next()
        let nameToken = try expectIdentifier("an enum name", "after \"enum\"")
        try expectSymbol("{", "after the enum name")
        var definition = EnumDefinition(
            fullName: scope.isEmpty ? nameToken.text : scope + "." + nameToken.text, location: nameToken.location)
        while !consumeSymbol("}") {
            if current.kind == .end { throw expected("\"}\"", "to close enum \"\(nameToken.text)\"") }
            if consumeSymbol(";") { continue }
            if current.isIdentifier("option") {
                let (name, value) = try parseOptionStatement()
                if name == "allow_alias" { definition.allowAlias = value == .identifier("true") }
            } else if current.isIdentifier("reserved") {
                next()
                if current.kind == .string || current.kind == .identifier {
                    repeat {
                        next()
                    } while consumeSymbol(",") && (current.kind == .string || current.kind == .identifier)
                } else {
                    _ = try parseRanges(maximum: Int64(Int32.max), allowNegative: true)
                }
                try expectSymbol(";", "after the reserved values")
            } else {
                definition.values.append(try parseEnumValue(enumName: nameToken.text))
            }
        }
        file.enums.append(definition)
    }

    private mutating func parseEnumValue(enumName: String) throws(ProtoError) -> EnumValueDefinition {
        let nameToken = try expectIdentifier("an enum value name or \"}\"", "in enum \"\(enumName)\"")
        try expectSymbol("=", "after the enum value name")
        let negative = consumeSymbol("-")
        let numberToken = current
        guard numberToken.kind == .integer else { throw expected("a number", "after \"\(nameToken.text) =\"") }
        next()
        let limit: UInt64 = negative ? UInt64(Int32.max) + 1 : UInt64(Int32.max)
        guard let magnitude = numberToken.integerValue, magnitude <= limit else {
            throw ProtoError(
                "enum value \(negative ? "-" : "")\(numberToken.text) is out of the 32-bit integer range",
                at: numberToken.location)
        }
        if current.isSymbol("[") { _ = try parseBracketedOptions() }
        try expectSymbol(";", "after the enum value")
        let number = negative ? -Int64(magnitude) : Int64(magnitude)
        return EnumValueDefinition(name: nameToken.text, number: number, location: nameToken.location)
    }
}
