import OrderedCollections

/// A JSON-shaped value whose objects keep their key order, so documents come out in the field order Tracetest uses.
public indirect enum WireValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([WireValue])
    case object(OrderedDictionary<String, WireValue>)

    /// The value under `key` when this is an object.
    public subscript(key: String) -> WireValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    /// The text of a string value.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The elements of an array value.
    public var arrayValue: [WireValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }
}

extension WireValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
