/// A term of an expression as Tracetest's token walk reports it (language.md §10): each term, then the terms inside
/// it (interpolations, array items, call arguments); each filter as a `FunctionCall` followed by its arguments.
package struct TermToken: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case attribute = "Attribute"
        case environment = "Environment"
        case variable = "Variable"
        case number = "Number"
        case duration = "Duration"
        case string = "Str"
        case array = "Array"
        case functionCall = "FunctionCall"
    }

    package let kind: Kind
    /// The name of an attribute, variable or function; empty for literals.
    package let identifier: String

    /// The name of a `var:` or `env:` reference.
    package var variableName: String? { kind == .variable || kind == .environment ? identifier : nil }

    static func collect(from node: ExpressionNode) -> [TermToken] {
        var tokens: [TermToken] = []
        collect(node, into: &tokens)
        return tokens
    }

    private static func collect(_ node: ExpressionNode, into tokens: inout [TermToken]) {
        for operand in node.operands { collect(operand, into: &tokens) }
        for filter in node.filters {
            tokens.append(TermToken(kind: .functionCall, identifier: filter.name))
            for argument in filter.arguments { collect(argument, into: &tokens) }
        }
    }

    private static func collect(_ operand: Operand, into tokens: inout [TermToken]) {
        switch operand {
        case .group(let node):
            collect(node, into: &tokens)
        case .term(.number):
            tokens.append(TermToken(kind: .number, identifier: ""))
        case .term(.duration):
            tokens.append(TermToken(kind: .duration, identifier: ""))
        case .term(.attribute(let name, _)):
            tokens.append(TermToken(kind: .attribute, identifier: name))
        case .term(.variable(let name, let legacy)):
            tokens.append(TermToken(kind: legacy ? .environment : .variable, identifier: name))
        case .term(.string(let literal)):
            tokens.append(TermToken(kind: .string, identifier: ""))
            collect(literal.segments, into: &tokens)
        case .term(.array(let items)):
            tokens.append(TermToken(kind: .array, identifier: ""))
            for item in items { collect(item, into: &tokens) }
        case .term(.call(let name, let arguments)):
            tokens.append(TermToken(kind: .functionCall, identifier: name))
            for argument in arguments { collect(argument, into: &tokens) }
        }
    }

    static func collect(_ segments: [StringLiteral.Segment], into tokens: inout [TermToken]) {
        for case .interpolation(let node) in segments { collect(node, into: &tokens) }
    }
}
