/// The trace analyzer (linter) settings: which plugins and rules run, and the minimum score (singleton `current`).
package struct Analyzer: ResourceSpec {
    package static let kind = ResourceKind.analyzer

    package var id: String
    package var name: String
    package var enabled: Bool
    /// 0–100; a lower run score fails the `analyzer-score` gate.
    package var minimumScore: Int
    package var plugins: [Plugin]

    package struct Plugin: Codable, Sendable, Equatable {
        package var id: String
        package var name: String?
        package var description: String?
        package var enabled: Bool
        package var rules: [Rule]

        package init(id: String, name: String? = nil, description: String? = nil, enabled: Bool, rules: [Rule]) {
            self.id = id
            self.name = name
            self.description = description
            self.enabled = enabled
            self.rules = rules
        }

        enum CodingKeys: String, CodingKey { case id, name, description, enabled, rules }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.value(.id, or: "")
            name = try c.decodeIfPresent(String.self, forKey: .name)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            enabled = try c.value(.enabled, or: false)
            rules = try c.value(.rules, or: [])
        }
    }

    package struct Rule: Codable, Sendable, Equatable {
        package var id: String
        package var name: String?
        package var description: String?
        package var errorDescription: String?
        package var tips: [String]?
        package var weight: Int
        /// `error`, `warning` or `disabled`.
        package var errorLevel: String

        package init(
            id: String,
            name: String? = nil,
            description: String? = nil,
            errorDescription: String? = nil,
            tips: [String]? = nil,
            weight: Int,
            errorLevel: String
        ) {
            self.id = id
            self.name = name
            self.description = description
            self.errorDescription = errorDescription
            self.tips = tips
            self.weight = weight
            self.errorLevel = errorLevel
        }

        enum CodingKeys: String, CodingKey { case id, name, description, errorDescription, tips, weight, errorLevel }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.value(.id, or: "")
            name = try c.decodeIfPresent(String.self, forKey: .name)
            description = try c.decodeIfPresent(String.self, forKey: .description)
            errorDescription = try c.decodeIfPresent(String.self, forKey: .errorDescription)
            tips = try c.decodeIfPresent([String].self, forKey: .tips)
            weight = try c.value(.weight, or: 0)
            errorLevel = try c.value(.errorLevel, or: "error")
        }
    }

    package static let errorLevels = ["error", "warning", "disabled"]

    package init(
        id: String = "", name: String = "", enabled: Bool = false, minimumScore: Int = 0, plugins: [Plugin] = []
    ) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.minimumScore = minimumScore
        self.plugins = plugins
    }

    /// The analyzer used when none was configured: every built-in plugin and rule, enabled, minimum score 0.
    package static var defaultAnalyzer: Analyzer {
        Analyzer(
            id: ResourceKind.singletonID, name: "analyzer", enabled: true, minimumScore: 0, plugins: builtInPlugins)
    }

    package func validate() throws(ValidationError) {
        if name.isEmpty { throw ValidationError("linter name cannot be empty") }
        guard (0...100).contains(minimumScore) else {
            throw ValidationError("minimumScore must be between 0 and 100, got \(minimumScore)")
        }
        let known = Self.builtInPlugins.map(\.id)
        for plugin in plugins {
            guard let builtIn = Self.builtInPlugins.first(where: { $0.id == plugin.id }) else {
                throw ValidationError(
                    "plugin \"\(plugin.id)\" not supported (use one of: \(known.joined(separator: ", ")))"
                )
            }
            let ruleIDs = builtIn.rules.map(\.id)
            guard plugin.rules.count == builtIn.rules.count else {
                throw ValidationError(
                    "plugin \"\(plugin.id)\" must list its \(ruleIDs.count) rules: \(ruleIDs.joined(separator: ", "))"
                )
            }
            for rule in plugin.rules {
                guard ruleIDs.contains(rule.id) else {
                    throw ValidationError(
                        "rule \"\(rule.id)\" not found in plugin \"\(plugin.id)\" (its rules: \(ruleIDs.joined(separator: ", ")))"
                    )
                }
                guard Self.errorLevels.contains(rule.errorLevel) else {
                    throw ValidationError(
                        "rule \"\(rule.id)\" has errorLevel \"\(rule.errorLevel)\" (use one of: error, warning, disabled)"
                    )
                }
            }
        }
    }

    /// The plugins and rules this server implements, with their display texts.
    package static let builtInPlugins: [Plugin] = [
        Plugin(
            id: "standards",
            name: "OTel Semantic Conventions",
            description: "Checks that spans follow the OpenTelemetry semantic conventions.",
            enabled: true,
            rules: [
                Rule(
                    id: "span-naming",
                    name: "Span Naming",
                    description: "Span names follow the naming convention of their span type.",
                    errorDescription: "The span name does not follow the naming convention.",
                    tips: ["Name spans after the operation they measure, as the semantic conventions describe."],
                    weight: 25,
                    errorLevel: "error"
                ),
                Rule(
                    id: "required-attributes",
                    name: "Required Attributes",
                    description: "Spans carry the attributes their span type requires.",
                    errorDescription: "This span lacks attributes its type requires:",
                    tips: ["Add the listed attributes where the span is created."],
                    weight: 25,
                    errorLevel: "error"
                ),
                Rule(
                    id: "attribute-naming",
                    name: "Attribute Naming",
                    description: "Attribute keys are lower-case, dot-separated namespaces in snake_case.",
                    errorDescription: "These attribute keys do not follow the naming rules:",
                    tips: [
                        "Group related attributes under a namespace, e.g. http.method.",
                        "Write each part in snake_case.",
                    ],
                    weight: 25,
                    errorLevel: "error"
                ),
                Rule(
                    id: "no-empty-attributes",
                    name: "No Empty Attributes",
                    description: "No attribute has an empty value.",
                    errorDescription: "These attributes are empty:",
                    tips: ["Leave an attribute out rather than setting it to an empty string."],
                    weight: 25,
                    errorLevel: "error"
                ),
            ]
        ),
        Plugin(
            id: "common",
            name: "Common Problems",
            description: "Finds common mistakes in instrumented applications.",
            enabled: true,
            rules: [
                Rule(
                    id: "prefer-dns",
                    name: "Prefer DNS",
                    description: "Addresses of other services use host names, not IP addresses.",
                    errorDescription: "These attributes hold an IP address:",
                    tips: ["Reach services by DNS name so they can move without configuration changes."],
                    weight: 100,
                    errorLevel: "error"
                )
            ]
        ),
        Plugin(
            id: "security",
            name: "Security",
            description: "Finds security problems visible in the trace.",
            enabled: true,
            rules: [
                Rule(
                    id: "secure-https-protocol",
                    name: "Secure HTTPS Protocol",
                    description: "HTTP spans use HTTPS.",
                    errorDescription: "This span uses plain HTTP:",
                    tips: ["Serve and call HTTP endpoints over TLS."],
                    weight: 30,
                    errorLevel: "error"
                ),
                Rule(
                    id: "no-api-key-leak",
                    name: "No API Key Leak",
                    description: "HTTP spans do not record credentials in header attributes.",
                    errorDescription: "These attributes expose credentials:",
                    tips: ["Do not record authorization or API key headers as span attributes."],
                    weight: 70,
                    errorLevel: "error"
                ),
            ]
        ),
    ]

    enum CodingKeys: String, CodingKey { case id, name, enabled, minimumScore, plugins }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: "")
        name = try c.value(.name, or: "")
        enabled = try c.value(.enabled, or: false)
        minimumScore = try c.value(.minimumScore, or: 0)
        plugins = try c.value(.plugins, or: [])
    }
}
