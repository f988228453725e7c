/// Named values that tests reference as `${var:NAME}` (formerly "Environment").
package struct VariableSet: ResourceSpec {
    package static let kind = ResourceKind.variableSet

    package var id: String
    package var name: String
    package var description: String
    /// Set by the server on create, kept on update.
    package var createdAt: Timestamp?
    /// In the order given.
    package var values: [KeyValue]

    package init(
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

    package func validate() throws(ValidationError) {
        if name.isEmpty { throw ValidationError("variable set name cannot be empty") }
        if values.contains(where: { $0.key.isEmpty }) {
            throw ValidationError("variable set value name cannot be empty")
        }
    }

    package mutating func prepareForSave(previous: VariableSet?, now: Timestamp) {
        createdAt = previous?.createdAt ?? now
    }

    enum CodingKeys: String, CodingKey { case id, name, description, createdAt, values }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        description = try c.value(.description, or: "")
        createdAt = c.ignorableTimestamp(.createdAt)
        values = try c.value(.values, or: [])
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(createdAt?.rfc3339 ?? "", forKey: .createdAt)
        try c.encode(values, nullWhenEmptyForKey: .values)
    }
}
