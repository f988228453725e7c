/// The web UI's getting-started checklist.
package struct Wizard: Codable, Sendable, Equatable {
    package var steps: [Step]

    package struct Step: Codable, Sendable, Equatable {
        /// `agent`, `tracing_backend` or `create_test`.
        package var id: String
        /// `pending`, `inProgress` or `completed`.
        package var state: String
        package var completedAt: Timestamp

        package init(id: String, state: String = "pending", completedAt: Timestamp = .zero) {
            self.id = id
            self.state = state
            self.completedAt = completedAt
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case id, state, completedAt }

        package init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.value(.id, or: "")
            state = try c.value(.state, or: "pending")
            completedAt = try c.value(.completedAt, or: .zero)
        }
    }

    package static let stepIDs = ["agent", "tracing_backend", "create_test"]
    package static let states = ["pending", "inProgress", "completed"]

    package static var initial: Wizard { Wizard(steps: stepIDs.map { Step(id: $0) }) }

    package init(steps: [Step]) {
        self.steps = steps
    }

    /// Rejects unknown step ids and states.
    package func validate() throws(ValidationError) {
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

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        steps = try decoder.container(keyedBy: CodingKeys.self).value(.steps, or: [])
    }
}
