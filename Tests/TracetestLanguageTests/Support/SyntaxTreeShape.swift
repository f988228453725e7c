@testable import TracetestLanguage

// Parsed trees in the shape language-vectors.json writes them (`expression_parse[].ast`).
enum SyntaxTreeShape {
    static func statement(_ assertion: Assertion) -> JSONFixture {
        .object([
            "left": expression(assertion.left), "comparator": .string(assertion.comparator.symbol),
            "right": expression(assertion.right),
        ])
    }

    static func expression(_ node: ExpressionNode) -> JSONFixture {
        var fields = ["term": operand(node.operands[0])]
        if !node.operators.isEmpty {
            fields["ops"] = .array(
                zip(node.operators, node.operands.dropFirst()).map {
                    .object(["op": .string($0.rawValue), "term": operand($1)])
                })
        }
        if !node.filters.isEmpty {
            fields["filters"] = .array(
                node.filters.map { .object(["name": .string($0.name), "args": .array($0.arguments.map(operand))]) })
        }
        return .object(fields)
    }

    static func operand(_ operand: Operand) -> JSONFixture {
        switch operand {
        case .group(let node): return .object(["group": expression(node)])
        case .term(.number(let text)): return .object(["number": .string(text)])
        case .term(.duration(let text, _)): return .object(["duration": .string(text)])
        case .term(.attribute(let name, _)): return .object(["attr": .string(name)])
        case .term(.variable(let name, let legacy)): return .object([legacy ? "env" : "var": .string(name)])
        case .term(.array(let items)): return .object(["array": .array(items.map(Self.operand))])
        case .term(.call(let name, let arguments)):
            return .object(["call": .object(["name": .string(name), "args": .array(arguments.map(Self.operand))])])
        case .term(.string(let literal)):
            let interpolations = literal.segments.compactMap { segment -> JSONFixture? in
                guard case .interpolation(let node) = segment else { return nil }
                return expression(node)
            }
            return .object([
                "str": .object(["text": .string(placeholders(literal.raw)), "args": .array(interpolations)])
            ])
        }
    }

    // The raw text with each `${…}` written `%s`, as the reference parser stores it.
    private static func placeholders(_ raw: String) -> String {
        var result = ""
        var rest = Substring(raw)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}"),
            end > start.upperBound
        {
            result += rest[..<start.lowerBound] + "%s"
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
