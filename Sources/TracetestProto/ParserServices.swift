// Services and their methods.
extension Parser {
    mutating func parseService() throws(ProtoError) {
        next()
        let nameToken = try expectIdentifier("a service name", "after \"service\"")
        try expectSymbol("{", "after the service name")
        var service = ServiceDefinition(fullName: nameToken.text, location: nameToken.location)
        while !consumeSymbol("}") {
            if consumeSymbol(";") { continue }
            if current.isIdentifier("option") {
                _ = try parseOptionStatement()
            } else if current.isIdentifier("rpc") {
                service.methods.append(try parseMethod())
            } else {
                throw expected("\"rpc\", \"option\" or \"}\"", "in service \"\(nameToken.text)\"")
            }
        }
        file.services.append(service)
    }

    private mutating func parseMethod() throws(ProtoError) -> MethodDefinition {
        next()
        let nameToken = try expectIdentifier("a method name", "after \"rpc\"")
        let (clientStreaming, input) = try parseMethodType("request")
        guard current.isIdentifier("returns") else { throw expected("\"returns\"", "after the request type") }
        next()
        let (serverStreaming, output) = try parseMethodType("response")
        if current.isSymbol("{") {
            next()
            while !consumeSymbol("}") {
                if consumeSymbol(";") { continue }
                guard current.isIdentifier("option") else {
                    throw expected("\"option\" or \"}\"", "in the body of method \"\(nameToken.text)\"")
                }
                _ = try parseOptionStatement()
            }
        } else {
            try expectSymbol(";", "after the response type")
        }
        return MethodDefinition(
            name: nameToken.text, inputType: input, outputType: output, clientStreaming: clientStreaming,
            serverStreaming: serverStreaming, location: nameToken.location)
    }

    private mutating func parseMethodType(_ role: String) throws(ProtoError) -> (Bool, TypeReference) {
        try expectSymbol("(", role == "request" ? "after the method name" : "after \"returns\"")
        var streaming = false
        if current.isIdentifier("stream") {
            let following = peekToken(1)
            if following.kind == .identifier || following.isSymbol(".") {
                streaming = true
                next()
            }
        }
        let location = current.location
        let name = try parseDottedName("the \(role) message type", "in the method", allowLeadingDot: true)
        try expectSymbol(")", "after the \(role) type")
        return (streaming, TypeReference(name: name, location: location))
    }
}
