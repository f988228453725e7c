// Parses the text of one `.proto` file into a `FileDefinition`. Nested messages are the only recursion, bounded by
// `maximumNesting`.
struct Parser {
    static let maximumNesting = 100

    let tokens: [Token]
    var index = 0
    var file: FileDefinition
    var depth = 0

    static func parse(_ text: String, fileName: String) throws(ProtoError) -> FileDefinition {
        var parser = Parser(tokens: try Lexer.tokenize(text, fileName: fileName), file: FileDefinition(name: fileName))
        try parser.parseFile()
        parser.qualifyWithPackage()
        return parser.file
    }

    private init(tokens: [Token], file: FileDefinition) {
        self.tokens = tokens
        self.file = file
    }

    // MARK: Tokens

    var current: Token { tokens[index] }

    func peekToken(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    @discardableResult
    mutating func next() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func expected(_ what: String, _ context: String) -> ProtoError {
        ProtoError("expected \(what) \(context), found \(current.quoted)", at: current.location)
    }

    mutating func consumeSymbol(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        next()
        return true
    }

    mutating func expectSymbol(_ symbol: String, _ context: String) throws(ProtoError) {
        guard consumeSymbol(symbol) else { throw expected("\"\(symbol)\"", context) }
    }

    mutating func expectIdentifier(_ what: String, _ context: String) throws(ProtoError) -> Token {
        guard current.kind == .identifier else { throw expected(what, context) }
        return next()
    }

    mutating func expectString(_ what: String, _ context: String) throws(ProtoError) -> String {
        guard current.kind == .string else { throw expected(what, context) }
        var value = ""
        while current.kind == .string { value += next().text }
        return value
    }

    // A dotted name, `a.b.c`, with an optional leading dot when `allowLeadingDot`.
    mutating func parseDottedName(_ what: String, _ context: String, allowLeadingDot: Bool) throws(ProtoError) -> String
    {
        var name = ""
        if allowLeadingDot, consumeSymbol(".") { name = "." }
        name += try expectIdentifier(what, context).text
        while current.isSymbol(".") {
            next()
            name += "." + (try expectIdentifier("an identifier", "after \".\" in \"\(name).\"").text)
        }
        return name
    }

    // MARK: File

    private mutating func parseFile() throws(ProtoError) {
        if current.isIdentifier("syntax") {
            try parseSyntax()
        }
        var sawPackage = false
        while current.kind != .end {
            if consumeSymbol(";") { continue }
            let token = current
            switch token.kind == .identifier ? token.text : "" {
            case "syntax":
                throw ProtoError("the syntax statement must be the first statement of the file", at: token.location)
            case "edition":
                throw editionError()
            case "import":
                try parseImport()
            case "package":
                if sawPackage { throw ProtoError("the file has a second package statement", at: token.location) }
                sawPackage = true
                next()
                file.package = try parseDottedName("a package name", "after \"package\"", allowLeadingDot: false)
                try expectSymbol(";", "after the package name")
            case "option":
                _ = try parseOptionStatement()
            case "message":
                try parseMessage(scope: "")
            case "enum":
                try parseEnum(scope: "")
            case "service":
                try parseService()
            case "extend":
                try parseExtend()
            default:
                throw expected(
                    "\"message\", \"enum\", \"service\", \"import\", \"package\" or \"option\"", "at the top level")
            }
        }
    }

    private mutating func parseSyntax() throws(ProtoError) {
        next()
        try expectSymbol("=", "after \"syntax\"")
        let location = current.location
        let value = try expectString("\"proto2\" or \"proto3\"", "after \"syntax =\"")
        switch value {
        case "proto3": file.isProto3 = true
        case "proto2": file.isProto3 = false
        default: throw ProtoError("unknown syntax \"\(value)\": expected \"proto2\" or \"proto3\"", at: location)
        }
        try expectSymbol(";", "after the syntax statement")
    }

    private func editionError() -> ProtoError {
        ProtoError(
            "editions (edition = \"...\") are not supported: declare syntax = \"proto3\" or syntax = \"proto2\"",
            at: current.location)
    }

    private mutating func parseImport() throws(ProtoError) {
        next()
        if current.isIdentifier("public") || current.isIdentifier("weak") { next() }
        let location = current.location
        let path = try expectString("a file name in quotes", "after \"import\"")
        try expectSymbol(";", "after the imported file name")
        file.imports.append(ImportDefinition(path: path, location: location))
    }

    // Names were built relative to the package (the package statement may come after definitions).
    private mutating func qualifyWithPackage() {
        guard !file.package.isEmpty else { return }
        let prefix = file.package + "."
        for i in file.messages.indices { file.messages[i].fullName = prefix + file.messages[i].fullName }
        for i in file.enums.indices { file.enums[i].fullName = prefix + file.enums[i].fullName }
        for i in file.services.indices { file.services[i].fullName = prefix + file.services[i].fullName }
    }
}
