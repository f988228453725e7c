/// Values that Go's `omitempty` leaves out when they are empty.
protocol OmittableWhenEmpty {
    var isEmptyValue: Bool { get }
}

extension String: OmittableWhenEmpty {
    var isEmptyValue: Bool { isEmpty }
}

extension Array: OmittableWhenEmpty {
    var isEmptyValue: Bool { isEmpty }
}

extension Dictionary: OmittableWhenEmpty {
    var isEmptyValue: Bool { isEmpty }
}

extension Bool: OmittableWhenEmpty {
    var isEmptyValue: Bool { !self }
}

extension Int: OmittableWhenEmpty {
    var isEmptyValue: Bool { self == 0 }
}

extension KeyedEncodingContainer {
    /// Encodes `value` unless it is empty, like a Go field tagged `omitempty`.
    mutating func encode<T: Encodable & OmittableWhenEmpty>(_ value: T, omittingEmptyForKey key: Key) throws {
        if !value.isEmptyValue { try encode(value, forKey: key) }
    }

    /// Encodes an array, writing `null` when it is empty (a Go nil slice without `omitempty`).
    mutating func encode<T: Encodable>(_ values: [T], nullWhenEmptyForKey key: Key) throws {
        if values.isEmpty { try encodeNil(forKey: key) } else { try encode(values, forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent or null.
    func value<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }

    /// A read-only time a client may echo back: absent, empty or unreadable text counts as not sent.
    func ignorableTimestamp(_ key: Key) -> Timestamp? {
        guard let text = try? decodeIfPresent(String.self, forKey: key) else { return nil }
        return Timestamp(rfc3339: text)
    }
}

/// A coding key made from any string, for documents whose keys are data (legacy map forms).
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws when the object holds a key outside `keys`, for request bodies that must not carry unknown fields.
    package func rejectUnknownKeys<K: CodingKey & CaseIterable>(_ keys: K.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(K.allCases.map(\.stringValue))
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [unknown],
                    debugDescription:
                        "unknown field (known fields: \(K.allCases.map(\.stringValue).joined(separator: ", ")))"
                )
            )
        }
    }
}
