import OrderedCollections

/// A JSON-shaped value whose objects keep their key order, so documents come out in the field order Tracetest uses.
package indirect enum WireValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([WireValue])
    case object(OrderedDictionary<String, WireValue>)
    /// JSON text written as it is (large documents rendered without building a tree, e.g. traces).
    case raw(String)

    /// The value under `key` when this is an object.
    package subscript(key: String) -> WireValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    /// The text of a string value.
    package var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The elements of an array value.
    package var arrayValue: [WireValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }
}

extension WireValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension WireValue: Codable {
    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .integer(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .double(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .array(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .object(let fields):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for (key, value) in fields { try container.encode(value, forKey: AnyCodingKey(key)) }
        case .raw(let text):
            try WireDecoding.decode(WireValue.self, from: text).encode(to: encoder)
        }
    }

    package init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() {
                self = .null
                return
            }
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
                return
            }
            if let number = try? container.decode(Int64.self) {
                self = .integer(number)
                return
            }
            if let number = try? container.decode(Double.self) {
                self = .double(number)
                return
            }
            if let text = try? container.decode(String.self) {
                self = .string(text)
                return
            }
        }
        if var container = try? decoder.unkeyedContainer() {
            var elements: [WireValue] = []
            while !container.isAtEnd { elements.append(try container.decode(WireValue.self)) }
            self = .array(elements)
            return
        }
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var fields: OrderedDictionary<String, WireValue> = [:]
        for key in container.allKeys { fields[key.stringValue] = try container.decode(WireValue.self, forKey: key) }
        self = .object(fields)
    }
}

/// The fields of a `WireValue.object`, in order.
package typealias WireObject = OrderedDictionary<String, WireValue>
