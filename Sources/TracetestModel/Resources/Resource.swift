/// The spec of one resource kind: the fields inside `{type, spec}`.
package protocol ResourceSpec: Codable, Sendable, Equatable {
    static var kind: ResourceKind { get }
    var id: String { get set }
    /// Rejects a spec a client may not save; the message says what to fix.
    func validate() throws(ValidationError)
    /// Sets what the server owns before a save: forced values, creation times kept from `previous`.
    mutating func prepareForSave(previous: Self?, now: Timestamp)
}

extension ResourceSpec {
    package func validate() throws(ValidationError) {}
    package mutating func prepareForSave(previous: Self?, now: Timestamp) {
        if Self.kind.isSingleton { id = ResourceKind.singletonID }
    }
}

/// A rule a resource breaks, e.g. `variable set name cannot be empty`.
package struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}

/// The `{type, spec}` envelope every resource travels in.
///
/// The `type` of a request is not checked (the API ignores it); responses always carry the canonical kind name.
package struct Resource<Spec: ResourceSpec>: Codable, Sendable, Equatable {
    package var type: String
    package var spec: Spec

    package init(_ spec: Spec) {
        self.type = Spec.kind.name
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case type, spec
    }

    package init(from decoder: any Decoder) throws {
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
package struct ResourceList<Spec: ResourceSpec>: Encodable, Sendable {
    package var count: Int
    package var items: [Resource<Spec>]

    package init(count: Int, items: [Resource<Spec>]) {
        self.count = count
        self.items = items
    }
}
