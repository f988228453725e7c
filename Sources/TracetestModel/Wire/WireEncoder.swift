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

/// A value being encoded: a scalar, an object or an array, each filled in place (appending an element or a field
/// never copies the ones before it).
private final class EncodingNode {
    enum Kind {
        case empty, value, object, array
    }

    private var kind = Kind.empty
    private var value = WireValue.null
    private var fields: OrderedDictionary<String, EncodingNode> = [:]
    private var elements: [EncodingNode] = []

    var count: Int { kind == .array ? elements.count : 0 }

    func set(_ value: WireValue) {
        kind = .value
        self.value = value
    }

    func finish() -> WireValue {
        switch kind {
        case .empty: return .null
        case .value: return value
        case .object: return .object(fields.mapValues { $0.finish() })
        case .array: return .array(elements.map { $0.finish() })
        }
    }

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: set(.string(text))
        case let flag as Bool: set(.bool(flag))
        case let number as Int: set(.integer(Int64(number)))
        case let number as Int64: set(.integer(number))
        case let number as Int32: set(.integer(Int64(number)))
        case let number as Double: set(.double(number))
        case let wire as WireValue: set(wire)
        default:
            try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
            if value is SortedKeysEncodable, kind == .object { fields.sort { $0.key < $1.key } }
        }
    }

    func child(forKey key: String) -> EncodingNode {
        makeObject()
        if let node = fields[key] { return node }
        let node = EncodingNode()
        fields[key] = node
        return node
    }

    func appendChild() -> EncodingNode {
        makeArray()
        let node = EncodingNode()
        elements.append(node)
        return node
    }

    func makeObject() {
        guard kind != .object else { return }
        kind = .object
        fields = [:]
    }

    func makeArray() {
        guard kind != .array else { return }
        kind = .array
        elements = []
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
        node.child(forKey: key.stringValue).set(.null)
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

    var count: Int { node.count }

    mutating func encodeNil() throws {
        node.appendChild().set(.null)
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

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(.double(value)) }
    mutating func encode(_ value: Float) throws { node.set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { node.set(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.set(.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}
