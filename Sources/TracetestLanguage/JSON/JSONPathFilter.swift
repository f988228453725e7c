import TracetestModel

// `||`, `&&`, `!`, parentheses, comparisons and existence tests over `@` (the candidate) and `$` (the document).
indirect enum FilterExpression: Sendable {
    enum Operand: Sendable {
        case current(JSONPath)
        case root(JSONPath)
        case literal(JSONValue)
    }

    case or(FilterExpression, FilterExpression)
    case and(FilterExpression, FilterExpression)
    case not(FilterExpression)
    case exists(Operand)
    case compare(Operand, String, Operand)

    func holds(current: JSONValue, root: JSONValue) -> Bool {
        switch self {
        case .or(let a, let b): return a.holds(current: current, root: root) || b.holds(current: current, root: root)
        case .and(let a, let b): return a.holds(current: current, root: root) && b.holds(current: current, root: root)
        case .not(let inner): return !inner.holds(current: current, root: root)
        case .exists(let operand): return Self.value(operand, current, root) != nil
        case .compare(let left, let op, let right):
            guard let a = Self.value(left, current, root), let b = Self.value(right, current, root) else {
                return op == "!="
            }
            switch op {
            case "==": return a.sameJSON(as: b)
            case "!=": return !a.sameJSON(as: b)
            default: return Self.order(a, b).map { Self.satisfies(op, $0) } ?? false
            }
        }
    }

    private static func value(_ operand: Operand, _ current: JSONValue, _ root: JSONValue) -> JSONValue? {
        switch operand {
        case .literal(let value): return value
        case .current(let path): return path.select(in: current, root: root).first
        case .root(let path): return path.select(in: root, root: root).first
        }
    }

    // -1, 0 or 1 for two numbers or two strings.
    private static func order(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            guard let x = DecimalNumber(x), let y = DecimalNumber(y) else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        default:
            return nil
        }
    }

    private static func satisfies(_ op: String, _ order: Int) -> Bool {
        switch op {
        case "<": return order < 0
        case "<=": return order <= 0
        case ">": return order > 0
        default: return order >= 0
        }
    }
}
