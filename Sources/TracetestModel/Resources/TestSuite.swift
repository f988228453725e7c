/// An ordered list of tests run one after the other, sharing variables and outputs (formerly "Transaction").
package struct TestSuite: ResourceSpec {
    package static let kind = ResourceKind.testSuite

    package var id: String
    package var createdAt: Timestamp?
    package var name: String
    package var description: String
    package var version: Int?
    /// Test ids, in run order.
    package var steps: [String]
    /// The latest version of each step's test (augmented reads only).
    package var fullSteps: [Test]?
    package var summary: Summary?

    package init(
        id: String = "",
        createdAt: Timestamp? = nil,
        name: String = "",
        description: String = "",
        version: Int? = nil,
        steps: [String] = [],
        fullSteps: [Test]? = nil,
        summary: Summary? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.description = description
        self.version = version
        self.steps = steps
        self.fullSteps = fullSteps
        self.summary = summary
    }

    /// Whether `other` differs in anything a user edits (what makes a new version).
    package func hasSameDefinition(as other: TestSuite) -> Bool {
        name == other.name && description == other.description && steps == other.steps
    }

    /// The suite without its read-only fields, as non-augmented responses show it.
    package var withoutReadOnlyFields: TestSuite {
        var suite = self
        suite.createdAt = nil
        suite.version = nil
        suite.fullSteps = nil
        suite.summary = nil
        return suite
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, name, description, version, steps, fullSteps, summary
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        createdAt = c.ignorableTimestamp(.createdAt)
        name = try c.value(.name, or: "")
        description = try c.value(.description, or: "")
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        steps = try c.value(.steps, or: [])
        fullSteps = try c.decodeIfPresent([Test].self, forKey: .fullSteps)
        summary = try c.decodeIfPresent(Summary.self, forKey: .summary)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encode(steps, nullWhenEmptyForKey: .steps)
        try c.encodeIfPresent(fullSteps, forKey: .fullSteps)
        try c.encodeIfPresent(summary, forKey: .summary)
    }
}
