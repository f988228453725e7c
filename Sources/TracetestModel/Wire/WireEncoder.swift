import OrderedCollections

/// Encodes `Encodable` values into a `WireValue`, keeping the order in which fields are encoded.
///
/// Dictionaries come out with their keys sorted, as Go's encoders write maps.
package struct WireEncoder: Sendable {
    package init() {}

    package func encode<T: Encodable>(_ value: T) throws -> WireValue {
        let node = EncodingNode()
        try node.encode(value, codingPath: [])
        return node.finish()
    }
}

/// Marks dictionaries with string keys, whose keys the encoder sorts.
private protocol SortedKeysEncodable {}
extension Dictionary: SortedKeysEncodable where Key == String {}

private final class EncodingNode {
    enum Storage {
        case empty
        case value(WireValue)
        case object(OrderedDictionary<String, EncodingNode>)
        case array([EncodingNode])
    }

    var storage: Storage = .empty

    func finish() -> WireValue {
        switch storage {
        case .empty: return .null
        case .value(let value): return value
        case .object(let fields): return .object(fields.mapValues { $0.finish() })
        case .array(let elements): return .array(elements.map { $0.finish() })
        }
    }

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: storage = .value(.string(text))
        case let flag as Bool: storage = .value(.bool(flag))
        case let number as Int: storage = .value(.integer(Int64(number)))
        case let number as Int64: storage = .value(.integer(number))
        case let number as Int32: storage = .value(.integer(Int64(number)))
        case let number as Double: storage = .value(.double(number))
        case let wire as WireValue: storage = .value(wire)
        default:
            try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
            if value is SortedKeysEncodable, case .object(var fields) = storage {
                fields.sort { $0.key < $1.key }
                storage = .object(fields)
            }
        }
    }

    func child(forKey key: String) -> EncodingNode {
        var fields: OrderedDictionary<String, EncodingNode>
        if case .object(let existing) = storage { fields = existing } else { fields = [:] }
        let node = fields[key] ?? EncodingNode()
        fields[key] = node
        storage = .object(fields)
        return node
    }

    func appendChild() -> EncodingNode {
        var elements: [EncodingNode]
        if case .array(let existing) = storage { elements = existing } else { elements = [] }
        let node = EncodingNode()
        elements.append(node)
        storage = .array(elements)
        return node
    }

    func makeObject() {
        if case .object = storage { return }
        storage = .object([:])
    }

    func makeArray() {
        if case .array = storage { return }
        storage = .array([])
    }
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        node.child(forKey: key.stringValue).storage = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(forKey: key.stringValue).encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.makeArray()
        return UnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let elements) = node.storage { return elements.count }
        return 0
    }

    mutating func encodeNil() throws {
        node.appendChild().storage = .value(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try node.appendChild().encode(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        let path = codingPath + [IndexKey(count)]
        let child = node.appendChild()
        child.makeObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [IndexKey(count)]
        let child = node.appendChild()
        child.makeArray()
        return UnkeyedContainer(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.storage = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.storage = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.storage = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { node.storage = .value(.double(value)) }
    mutating func encode(_ value: Float) throws { node.storage = .value(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { node.storage = .value(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.storage = .value(.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}
