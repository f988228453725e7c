/// The spec of one resource kind: the fields inside `{type, spec}`.
public protocol ResourceSpec: Codable, Sendable, Equatable {
    static var kind: ResourceKind { get }
    var id: String { get set }
    /// Rejects a spec a client may not save; the message says what to fix.
    func validate() throws(ValidationError)
    /// Sets what the server owns before a save: forced values, creation times kept from `previous`.
    mutating func prepareForSave(previous: Self?, now: Timestamp)
}

extension ResourceSpec {
    public func validate() throws(ValidationError) {}
    public mutating func prepareForSave(previous: Self?, now: Timestamp) {
        if Self.kind.isSingleton { id = ResourceKind.singletonID }
    }
}

/// A rule a resource breaks, e.g. `variable set name cannot be empty`.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The `{type, spec}` envelope every resource travels in.
///
/// The `type` of a request is not checked (the API ignores it); responses always carry the canonical kind name.
public struct Resource<Spec: ResourceSpec>: Codable, Sendable, Equatable {
    public var type: String
    public var spec: Spec

    public init(_ spec: Spec) {
        self.type = Spec.kind.name
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case type, spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? Spec.kind.name
        guard container.contains(.spec), try !container.decodeNil(forKey: .spec) else {
            throw DecodingError.keyNotFound(
                CodingKeys.spec,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a resource is {type: \(Spec.kind.name), spec: {...}}")
            )
        }
        spec = try container.decode(Spec.self, forKey: .spec)
    }
}

/// The `{count, items}` shape of a list.
public struct ResourceList<Spec: ResourceSpec>: Encodable, Sendable {
    public var count: Int
    public var items: [Resource<Spec>]

    public init(count: Int, items: [Resource<Spec>]) {
        self.count = count
        self.items = items
    }
}
