import TracetestModel

/// The type Tracetest infers from a value's text (language.md §4.3), as the `type` filter names it.
package enum ValueType: String, Sendable {
    case string, number, duration, json, array
    case `nil`
}

/// One value: its text and the type inferred from it (or given by the literal that produced it).
package struct TypedValue: Sendable, Equatable {
    package let text: String
    package let type: ValueType
    /// The parsed document of a json value, kept from type inference so that it is parsed once.
    let document: ParsedJSON?

    init(text: String, type: ValueType) {
        self.text = text
        self.type = type
        self.document = nil
    }

    // A value whose type is inferred from its text.
    init(inferring text: String) {
        let (type, document) = TypeInference.inferred(text)
        self.text = text
        self.type = type
        self.document = document.map(ParsedJSON.init)
    }

    /// The text as JSON: the document kept from inference, or parsed now.
    var json: JSONValue? { document?.value ?? JSONParser.parse(text) }

    package static func == (left: TypedValue, right: TypedValue) -> Bool {
        left.text == right.text && left.type == right.type
    }
}

/// A parsed JSON document shared by the copies of a value.
final class ParsedJSON: Sendable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }
}

/// What an expression resolves to: one value, a list (array literals, filters with several results) or nothing
/// (`json_path` without a match).
package enum Value: Sendable, Equatable {
    case single(TypedValue)
    case array([TypedValue])
    case empty

    static func inferring(_ text: String) -> Value { .single(TypedValue(inferring: text)) }

    // The first item decides how comparisons treat the value.
    var first: TypedValue? {
        switch self {
        case .single(let value): return value
        case .array(let items): return items.first
        case .empty: return nil
        }
    }

    var type: ValueType {
        switch self {
        case .single(let value): return value.type
        case .array: return .array
        case .empty: return .nil
        }
    }

    /// The text users see: arrays as `[1, "a"]` (string items quoted), nothing as the empty text.
    package var rendered: String {
        switch self {
        case .single(let value): return value.text
        case .empty: return ""
        case .array(let items):
            return "[" + items.map { $0.type == .string ? "\"\($0.text)\"" : $0.text }.joined(separator: ", ") + "]"
        }
    }

    // The value as a list: an array's items, a single value alone, nothing as no items.
    var items: [TypedValue] {
        switch self {
        case .single(let value): return [value]
        case .array(let items): return items
        case .empty: return []
        }
    }
}
