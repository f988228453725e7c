import Yams

extension WireValue {
    /// Block-style YAML text with fields in order; strings that would read back as another type are quoted.
    package func yamlText() throws -> String {
        try Yams.serialize(node: yamlNode, indent: 2, width: -1, allowUnicode: true)
    }

    var yamlNode: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .integer(let number): return Node(String(number), Tag(.int))
        case .double(let number): return Node(number.isFinite ? number.shortestText : ".nan", Tag(.float))
        case .string(let text):
            if text.contains("\n") {
                return .scalar(Node.Scalar(text, Tag(.str), .literal))
            }
            return .scalar(text.represented())
        case .array(let elements):
            return .sequence(Node.Sequence(elements.map(\.yamlNode)))
        case .object(let fields):
            return .mapping(Node.Mapping(fields.map { (key, value) in (Node(key), value.yamlNode) }))
        case .raw(let text):
            return (try? Yams.compose(yaml: text)) ?? Node("null", Tag(.null))
        }
    }
}
