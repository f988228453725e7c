/// How long and how often a run waits for its trace (singleton `current`).
package struct PollingProfile: ResourceSpec {
    package static let kind = ResourceKind.pollingProfile

    package var id: String
    package var name: String
    package var isDefault: Bool
    /// `periodic` is the only strategy.
    package var strategy: String
    package var periodic: Periodic?

    package struct Periodic: Codable, Sendable, Equatable {
        /// Go duration text, e.g. `500ms`.
        package var retryDelay: String
        package var timeout: String
        package var selectorMatchRetries: Int
        /// How long after the last arrival a trace whose spans name a parent that has not arrived is still waited
        /// for (an extension of this server; nil: ``PollingProfile/defaultParentGracePeriod``).
        package var parentGracePeriod: String?

        package init(retryDelay: String, timeout: String, selectorMatchRetries: Int, parentGracePeriod: String? = nil) {
            self.retryDelay = retryDelay
            self.timeout = timeout
            self.selectorMatchRetries = selectorMatchRetries
            self.parentGracePeriod = parentGracePeriod
        }

        enum CodingKeys: String, CodingKey { case retryDelay, timeout, selectorMatchRetries, parentGracePeriod }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            retryDelay = try c.value(.retryDelay, or: "")
            timeout = try c.value(.timeout, or: "")
            selectorMatchRetries = try c.value(.selectorMatchRetries, or: 0)
            parentGracePeriod = try c.decodeIfPresent(String.self, forKey: .parentGracePeriod)
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(retryDelay, forKey: .retryDelay)
            try c.encode(timeout, forKey: .timeout)
            try c.encode(selectorMatchRetries, forKey: .selectorMatchRetries)
            try c.encodeIfPresent(parentGracePeriod, forKey: .parentGracePeriod)
        }
    }

    /// How long a trace with a missing parent is waited for when the profile does not say: longer than the 5 s the
    /// OpenTelemetry SDKs wait before exporting a batch, so a parent exported in the next batch is not missed.
    package static let defaultParentGracePeriod = Duration.seconds(6)

    /// Our default: finish as soon as the trace is complete, give up after a minute.
    package static let defaultProfile = PollingProfile(
        id: ResourceKind.singletonID,
        name: "default",
        strategy: "periodic",
        periodic: Periodic(retryDelay: "500ms", timeout: "1m", selectorMatchRetries: 3)
    )

    package init(
        id: String = "", name: String = "", isDefault: Bool = true, strategy: String = "", periodic: Periodic? = nil
    ) {
        self.id = id
        self.name = name
        self.isDefault = isDefault
        self.strategy = strategy
        self.periodic = periodic
    }

    package mutating func prepareForSave(previous: PollingProfile?, now: Timestamp) {
        id = ResourceKind.singletonID
        isDefault = true
    }

    package func validate() throws(ValidationError) {
        guard strategy == "periodic" else { return }
        guard let periodic else { throw ValidationError("missing periodic polling profile configuration") }
        do {
            _ = try GoDuration(parsing: periodic.retryDelay)
        } catch {
            throw ValidationError("retry delay configuration is invalid: \(error)")
        }
        do {
            _ = try GoDuration(parsing: periodic.timeout)
        } catch {
            throw ValidationError("timeout configuration is invalid: \(error)")
        }
        if let grace = periodic.parentGracePeriod {
            do {
                _ = try GoDuration(parsing: grace)
            } catch {
                throw ValidationError("parent grace period configuration is invalid: \(error)")
            }
        }
    }

    enum CodingKeys: String, CodingKey { case id, name, isDefault = "default", strategy, periodic }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        isDefault = try c.value(.isDefault, or: true)
        strategy = try c.value(.strategy, or: "")
        periodic = try c.decodeIfPresent(Periodic.self, forKey: .periodic)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(isDefault, forKey: .isDefault)
        try c.encode(strategy, forKey: .strategy)
        if let periodic { try c.encode(periodic, forKey: .periodic) } else { try c.encodeNil(forKey: .periodic) }
    }
}

/// Server settings a user may change at run time (singleton `current`).
package struct Config: ResourceSpec {
    package static let kind = ResourceKind.config

    package var id: String
    package var name: String
    /// Stored and reported only: this server never sends analytics.
    package var analyticsEnabled: Bool

    package static let defaultConfig = Config(id: ResourceKind.singletonID, name: "Config", analyticsEnabled: true)

    package mutating func prepareForSave(previous: Config?, now: Timestamp) {
        id = ResourceKind.singletonID
        name = "Config"
    }

    package init(id: String = "", name: String = "", analyticsEnabled: Bool = false) {
        self.id = id
        self.name = name
        self.analyticsEnabled = analyticsEnabled
    }

    enum CodingKeys: String, CodingKey { case id, name, analyticsEnabled }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        analyticsEnabled = try c.value(.analyticsEnabled, or: false)
    }
}

/// The gates a run must pass by default (singleton `current`).
package struct TestRunner: ResourceSpec {
    package static let kind = ResourceKind.testRunner

    package var id: String
    package var name: String
    /// Any of `analyzer-score`, `analyzer-rules`, `test-specs`.
    package var requiredGates: [String]

    package static let gates = ["analyzer-score", "analyzer-rules", "test-specs"]

    package static let defaultRunner = TestRunner(
        id: ResourceKind.singletonID,
        name: "default",
        requiredGates: ["test-specs"]
    )

    package init(id: String = "", name: String = "", requiredGates: [String] = []) {
        self.id = id
        self.name = name
        self.requiredGates = requiredGates
    }

    package func validate() throws(ValidationError) {
        if let unknown = requiredGates.first(where: { !Self.gates.contains($0) }) {
            throw ValidationError(
                "unknown required gate \"\(unknown)\" (use any of: \(Self.gates.joined(separator: ", ")))"
            )
        }
    }

    enum CodingKeys: String, CodingKey { case id, name, requiredGates }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        requiredGates = try c.value(.requiredGates, or: [])
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(requiredGates, forKey: .requiredGates)
    }
}
