/// The web UI's getting-started checklist.
public struct Wizard: Codable, Sendable, Equatable {
    public var steps: [Step]

    public struct Step: Codable, Sendable, Equatable {
        /// `agent`, `tracing_backend` or `create_test`.
        public var id: String
        /// `pending`, `inProgress` or `completed`.
        public var state: String
        public var completedAt: Timestamp

        public init(id: String, state: String = "pending", completedAt: Timestamp = .zero) {
            self.id = id
            self.state = state
            self.completedAt = completedAt
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case id, state, completedAt }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.value(.id, or: "")
            state = try c.value(.state, or: "pending")
            completedAt = try c.value(.completedAt, or: .zero)
        }
    }

    public static let stepIDs = ["agent", "tracing_backend", "create_test"]
    public static let states = ["pending", "inProgress", "completed"]

    public static var initial: Wizard { Wizard(steps: stepIDs.map { Step(id: $0) }) }

    public init(steps: [Step]) {
        self.steps = steps
    }

    /// Rejects unknown step ids and states.
    public func validate() throws(ValidationError) {
        for step in steps {
            guard Self.stepIDs.contains(step.id) else {
                throw ValidationError(
                    "unknown wizard step \"\(step.id)\" (use one of: \(Self.stepIDs.joined(separator: ", ")))")
            }
            guard Self.states.contains(step.state) else {
                throw ValidationError(
                    "unknown wizard state \"\(step.state)\" (use one of: \(Self.states.joined(separator: ", ")))")
            }
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case steps }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        steps = try decoder.container(keyedBy: CodingKeys.self).value(.steps, or: [])
    }
}
