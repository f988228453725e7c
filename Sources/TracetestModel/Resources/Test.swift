/// A trace-based test: a trigger, specs (selector + assertions) and outputs.
///
/// `version`, `createdAt` and `summary` are read-only and only present in augmented reads.
package struct Test: ResourceSpec {
    package static let kind = ResourceKind.test

    package var id: String
    package var createdAt: Timestamp?
    package var name: String
    package var description: String
    package var version: Int?
    package var trigger: Trigger
    package var specs: [TestSpec]
    package var outputs: [TestOutput]
    package var summary: Summary?
    package var skipTraceCollection: Bool

    package init(
        id: String = "",
        createdAt: Timestamp? = nil,
        name: String = "",
        description: String = "",
        version: Int? = nil,
        trigger: Trigger = Trigger(),
        specs: [TestSpec] = [],
        outputs: [TestOutput] = [],
        summary: Summary? = nil,
        skipTraceCollection: Bool = false
    ) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.description = description
        self.version = version
        self.trigger = trigger
        self.specs = specs
        self.outputs = outputs
        self.summary = summary
        self.skipTraceCollection = skipTraceCollection
    }

    /// A trigger that could not be fired as written is refused, naming the field (see ``Trigger/problem``).
    package func validate() throws(ValidationError) {
        if !trigger.type.isEmpty, !Trigger.types.contains(trigger.type) {
            throw ValidationError(
                "trigger.type: unknown trigger type \"\(trigger.type)\" (use one of: \(Trigger.types.joined(separator: ", ")))"
            )
        }
        if let problem = trigger.problem { throw ValidationError("trigger.\(problem)") }
    }

    /// Whether `other` differs in anything a user edits (what makes a new version).
    package func hasSameDefinition(as other: Test) -> Bool {
        name == other.name && description == other.description && skipTraceCollection == other.skipTraceCollection
            && trigger == other.trigger && specs == other.specs && outputs == other.outputs
    }

    /// The test without its read-only fields, as non-augmented responses show it.
    package var withoutReadOnlyFields: Test {
        var test = self
        test.createdAt = nil
        test.version = nil
        test.summary = nil
        return test
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, name, description, version, trigger, specs, outputs, summary, skipTraceCollection
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        createdAt = c.ignorableTimestamp(.createdAt)
        name = try c.value(.name, or: "")
        description = try c.value(.description, or: "")
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        trigger = try c.value(.trigger, or: Trigger())
        specs = try Self.decodeSpecs(c)
        outputs = try Self.decodeOutputs(c)
        summary = try c.decodeIfPresent(Summary.self, forKey: .summary)
        skipTraceCollection = try c.value(.skipTraceCollection, or: false)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, omittingEmptyForKey: .id)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encode(name, omittingEmptyForKey: .name)
        try c.encode(description, omittingEmptyForKey: .description)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(specs, omittingEmptyForKey: .specs)
        try c.encode(outputs, omittingEmptyForKey: .outputs)
        try c.encodeIfPresent(summary, forKey: .summary)
        try c.encode(skipTraceCollection, omittingEmptyForKey: .skipTraceCollection)
    }

    /// Specs as a list, or in the first format's `{"<selector>": {name, assertions}}` map (order kept).
    private static func decodeSpecs(_ c: KeyedDecodingContainer<CodingKeys>) throws -> [TestSpec] {
        guard c.contains(.specs), try !c.decodeNil(forKey: .specs) else { return [] }
        if let map = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .specs) {
            return try map.allKeys.map { key in
                var spec = try map.decode(TestSpec.self, forKey: key)
                spec.selector = key.stringValue
                return spec
            }
        }
        return try c.decode([TestSpec].self, forKey: .specs)
    }

    /// Outputs as a list, or in the first format's `{"<NAME>": {selector, value}}` map (order kept).
    private static func decodeOutputs(_ c: KeyedDecodingContainer<CodingKeys>) throws -> [TestOutput] {
        guard c.contains(.outputs), try !c.decodeNil(forKey: .outputs) else { return [] }
        if let map = try? c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .outputs) {
            return try map.allKeys.map { key in
                var output = try map.decode(TestOutput.self, forKey: key)
                output.name = key.stringValue
                return output
            }
        }
        return try c.decode([TestOutput].self, forKey: .outputs)
    }
}

/// A selector over spans and the assertions every selected span must pass.
package struct TestSpec: Codable, Sendable, Equatable {
    /// A span query; empty selects every span.
    package var selector: String
    package var name: String
    package var assertions: [String]

    package init(selector: String = "", name: String = "", assertions: [String] = []) {
        self.selector = selector
        self.name = name
        self.assertions = assertions
    }

    enum CodingKeys: String, CodingKey { case selector, name, assertions }
    enum LegacySelectorKeys: String, CodingKey { case query }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let legacy = try? c.nestedContainer(keyedBy: LegacySelectorKeys.self, forKey: .selector) {
            selector = try legacy.value(.query, or: "")
        } else {
            selector = try c.value(.selector, or: "")
        }
        name = try c.value(.name, or: "")
        assertions = try c.value(.assertions, or: [])
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(selector, omittingEmptyForKey: .selector)
        try c.encode(name, omittingEmptyForKey: .name)
        try c.encode(assertions, omittingEmptyForKey: .assertions)
    }
}

/// A value a test extracts from the trace (`value` is an expression) for later steps to use.
package struct TestOutput: Codable, Sendable, Equatable {
    package var name: String
    package var selector: String
    package var value: String

    package init(name: String = "", selector: String = "", value: String = "") {
        self.name = name
        self.selector = selector
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case name, selector, value }
    enum LegacySelectorKeys: String, CodingKey { case query }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.value(.name, or: "")
        if let legacy = try? c.nestedContainer(keyedBy: LegacySelectorKeys.self, forKey: .selector) {
            selector = try legacy.value(.query, or: "")
        } else {
            selector = try c.value(.selector, or: "")
        }
        value = try c.value(.value, or: "")
    }
}

/// Run statistics shown in augmented reads of tests and suites.
package struct Summary: Codable, Sendable, Equatable {
    package var runs: Int
    package var lastRun: LastRun

    package struct LastRun: Codable, Sendable, Equatable {
        /// `0001-01-01T00:00:00Z` when never run.
        package var time: Timestamp
        package var passes: Int
        package var fails: Int
        package var analyzerScore: Int

        package init(time: Timestamp = .zero, passes: Int = 0, fails: Int = 0, analyzerScore: Int = 0) {
            self.time = time
            self.passes = passes
            self.fails = fails
            self.analyzerScore = analyzerScore
        }

        /// Missing fields (`lastRun: {}` of a test never run) read as their zero values.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            time = c.ignorableTimestamp(.time) ?? .zero
            passes = try c.value(.passes, or: 0)
            fails = try c.value(.fails, or: 0)
            analyzerScore = try c.value(.analyzerScore, or: 0)
        }
    }

    package init(runs: Int = 0, lastRun: LastRun = LastRun()) {
        self.runs = runs
        self.lastRun = lastRun
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runs = try c.value(.runs, or: 0)
        lastRun = try c.value(.lastRun, or: LastRun())
    }
}
