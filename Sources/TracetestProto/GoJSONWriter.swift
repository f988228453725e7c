import TracetestModel

// Writes JSON as Go's protojson does with `Indent: "  "`: one member per line, `"key": value`, empty objects and
// arrays as `{}` and `[]`, strings escaped only where JSON requires it.
enum GoJSONWriter {
    static func format(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: "", into: &out)
        return out
    }

    // Recursion follows the value, whose depth the decoder bounds.
    private static func write(_ value: JSONValue, indent: String, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): WireValue.writeJSONString(text, into: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            let inner = indent + "  "
            out += "["
            for (index, item) in items.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += inner
                write(item, indent: inner, into: &out)
            }
            out += "\n" + indent + "]"
        case .object(let fields):
            guard !fields.isEmpty else {
                out += "{}"
                return
            }
            let inner = indent + "  "
            out += "{"
            for (index, field) in fields.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += inner
                WireValue.writeJSONString(field.key, into: &out)
                out += ": "
                write(field.value, indent: inner, into: &out)
            }
            out += "\n" + indent + "}"
        }
    }
}
