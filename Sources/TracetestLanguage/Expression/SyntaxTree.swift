// `operand (op operand)* (| filter)*`: arithmetic kept flat (evaluated with `*` `/` before `+` `-`), then filters.
struct ExpressionNode: Sendable, Equatable {
    var operands: [Operand]
    var operators: [ArithmeticOperator]
    var filters: [FilterCall]
}

indirect enum Operand: Sendable, Equatable {
    case term(Term)
    // `( expression )`.
    case group(ExpressionNode)
}

enum Term: Sendable, Equatable {
    // As written (`007` stays `007`).
    case number(String)
    // As written without spaces (`200ms`) and its nanoseconds.
    case duration(text: String, nanoseconds: Int64)
    // `attr:NAME`; `meta` for `tracetest.selected_spans.*` names.
    case attribute(String, meta: Bool)
    // `var:NAME`, or `env:NAME` (legacy) when `legacy` is true.
    case variable(String, legacy: Bool)
    case string(StringLiteral)
    case array([Operand])
    case call(name: String, arguments: [Operand])
}

// A quoted string: its text between the quotes as written, and its content with `\<quote>` resolved, split around
// `${…}` interpolations.
struct StringLiteral: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case text(String)
        case interpolation(ExpressionNode)
    }

    var raw: String
    var segments: [Segment]
}

struct FilterCall: Sendable, Equatable {
    var name: String
    var arguments: [Operand]
}

enum ArithmeticOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"

    var bindsTighter: Bool { self == .multiply || self == .divide }
}

extension ExpressionNode {
    // No span attribute (other than `tracetest.selected_spans.*`) and no function call anywhere inside.
    var isSameForEverySpan: Bool {
        operands.allSatisfy(\.isSameForEverySpan)
            && filters.allSatisfy { $0.arguments.allSatisfy(\.isSameForEverySpan) }
    }
}

extension Operand {
    var isSameForEverySpan: Bool {
        switch self {
        case .group(let node): return node.isSameForEverySpan
        case .term(.attribute(_, let meta)): return meta
        case .term(.call): return false
        case .term(.array(let items)): return items.allSatisfy(\.isSameForEverySpan)
        case .term(.string(let literal)):
            return literal.segments.allSatisfy { segment in
                guard case .interpolation(let node) = segment else { return true }
                return node.isSameForEverySpan
            }
        case .term(.number), .term(.duration), .term(.variable): return true
        }
    }
}
