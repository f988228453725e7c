/// Named values that tests reference as `${var:NAME}` (formerly "Environment").
public struct VariableSet: ResourceSpec {
    public static let kind = ResourceKind.variableSet

    public var id: String
    public var name: String
    public var description: String
    /// Set by the server on create, kept on update.
    public var createdAt: Timestamp?
    /// In the order given.
    public var values: [KeyValue]

    public init(
        id: String = "",
        name: String = "",
        description: String = "",
        createdAt: Timestamp? = nil,
        values: [KeyValue] = []
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.values = values
    }

    public func validate() throws(ValidationError) {
        if name.isEmpty { throw ValidationError("variable set name cannot be empty") }
        if values.contains(where: { $0.key.isEmpty }) {
            throw ValidationError("variable set value name cannot be empty")
        }
    }

    public mutating func prepareForSave(previous: VariableSet?, now: Timestamp) {
        createdAt = previous?.createdAt ?? now
    }

    enum CodingKeys: String, CodingKey { case id, name, description, createdAt, values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        description = try c.value(.description, or: "")
        createdAt = c.ignorableTimestamp(.createdAt)
        values = try c.value(.values, or: [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(createdAt?.rfc3339 ?? "", forKey: .createdAt)
        try c.encode(values, nullWhenEmptyForKey: .values)
    }
}
