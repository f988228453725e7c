import TracetestModel

/// A rule's error level: `error` rules count for the score and `passed`, `warning` rules are reported only,
/// `disabled` rules do not run.
package enum RuleLevel: String, Codable, Sendable, CaseIterable {
    case error, warning, disabled
}

/// The run gates the analyzer can fail (ui-analyzer.md §3.2).
package enum AnalyzerGate: String, Codable, Sendable, CaseIterable {
    case analyzerRules = "analyzer-rules"
    case analyzerScore = "analyzer-score"
}

/// What the analyzer found in one trace: the run's `linter` field (api-resources.md §4).
package struct LinterResult: Codable, Sendable, Equatable {
    /// Copied from the analyzer; not used for `passed`.
    package var minimumScore: Int
    /// Whether every error-level rule of every enabled plugin passed.
    package var passed: Bool
    /// The average of the plugin scores, rounded down; 100 without plugins.
    package var score: Int
    /// The enabled plugins, in the analyzer's order.
    package var plugins: [Plugin]

    package init(minimumScore: Int, passed: Bool, score: Int, plugins: [Plugin]) {
        self.minimumScore = minimumScore
        self.passed = passed
        self.score = score
        self.plugins = plugins
    }

    /// The gates this result fails: `analyzer-rules` when it did not pass, `analyzer-score` when its score is below
    /// the minimum. The caller records them whether or not they are required.
    package var failedGates: [AnalyzerGate] {
        var gates: [AnalyzerGate] = []
        if !passed { gates.append(.analyzerRules) }
        if score < minimumScore { gates.append(.analyzerScore) }
        return gates
    }

    /// One plugin's rules and score.
    package struct Plugin: Codable, Sendable, Equatable {
        package var name: String
        package var description: String
        /// Whether every error-level rule passed.
        package var passed: Bool
        /// The passed share of the error-level rules' weight, 0–100, rounded down; 100 without such rules.
        package var score: Int
        /// Error-level rules first, then warnings, then disabled rules, each group in the analyzer's order.
        package var rules: [Rule]

        package init(name: String, description: String, passed: Bool, score: Int, rules: [Rule]) {
            self.name = name
            self.description = description
            self.passed = passed
            self.score = score
            self.rules = rules
        }
    }

    /// One rule and its result for each span it looked at.
    package struct Rule: Codable, Sendable, Equatable {
        package var id: String
        package var name: String
        package var description: String
        /// The heading shown above a span's errors.
        package var errorDescription: String
        /// Whether every span passed (always true when disabled).
        package var passed: Bool
        package var weight: Int
        package var tips: [String]
        package var level: RuleLevel
        /// One entry per span the rule looked at, in trace pre-order; empty when disabled.
        package var results: [SpanResult]

        package init(
            id: String, name: String, description: String, errorDescription: String, passed: Bool, weight: Int,
            tips: [String], level: RuleLevel, results: [SpanResult]
        ) {
            self.id = id
            self.name = name
            self.description = description
            self.errorDescription = errorDescription
            self.passed = passed
            self.weight = weight
            self.tips = tips
            self.level = level
            self.results = results
        }
    }

    /// A rule's verdict on one span.
    package struct SpanResult: Codable, Sendable, Equatable {
        /// 16 hex digits (`spanId` on the wire).
        package var spanID: String
        package var passed: Bool
        /// The rule's level when the span failed; nil when it passed.
        package var severity: RuleLevel?
        /// Empty when the span passed.
        package var errors: [SpanError]

        package init(spanID: String, passed: Bool, severity: RuleLevel? = nil, errors: [SpanError] = []) {
            self.spanID = spanID
            self.passed = passed
            self.severity = severity
            self.errors = errors
        }
    }

    /// One problem on a span.
    package struct SpanError: Codable, Sendable, Equatable {
        /// The attribute concerned (`tracetest.span.name` for the span name).
        package var value: String
        /// What the value should have been, for rules that know it.
        package var expected: String?
        package var description: String
        package var suggestions: [String]

        package init(value: String, expected: String? = nil, description: String, suggestions: [String] = []) {
            self.value = value
            self.expected = expected
            self.description = description
            self.suggestions = suggestions
        }
    }
}

// MARK: - Coding

extension LinterResult {
    enum CodingKeys: String, CodingKey { case minimumScore, passed, score, plugins }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minimumScore = try c.decodeIfPresent(Int.self, forKey: .minimumScore) ?? 0
        passed = try c.decodeIfPresent(Bool.self, forKey: .passed) ?? false
        score = try c.decodeIfPresent(Int.self, forKey: .score) ?? 0
        plugins = try c.decodeIfPresent([Plugin].self, forKey: .plugins) ?? []
    }

    /// The result as the run's `linter` value, built directly (faster than `WireEncoder` on large traces).
    package var wireValue: WireValue {
        .object([
            "minimumScore": .integer(Int64(minimumScore)),
            "passed": .bool(passed),
            "score": .integer(Int64(score)),
            "plugins": .array(plugins.map(\.wireValue)),
        ])
    }
}

extension LinterResult.Plugin {
    enum CodingKeys: String, CodingKey { case name, description, passed, score, rules }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        passed = try c.decodeIfPresent(Bool.self, forKey: .passed) ?? false
        score = try c.decodeIfPresent(Int.self, forKey: .score) ?? 0
        rules = try c.decodeIfPresent([LinterResult.Rule].self, forKey: .rules) ?? []
    }

    var wireValue: WireValue {
        .object([
            "name": .string(name),
            "description": .string(description),
            "passed": .bool(passed),
            "score": .integer(Int64(score)),
            "rules": .array(rules.map(\.wireValue)),
        ])
    }
}

extension LinterResult.Rule {
    enum CodingKeys: String, CodingKey {
        case id, name, description, errorDescription, passed, weight, tips, level, results
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        errorDescription = try c.decodeIfPresent(String.self, forKey: .errorDescription) ?? ""
        passed = try c.decodeIfPresent(Bool.self, forKey: .passed) ?? false
        weight = try c.decodeIfPresent(Int.self, forKey: .weight) ?? 0
        tips = try c.decodeIfPresent([String].self, forKey: .tips) ?? []
        level = try c.decodeIfPresent(RuleLevel.self, forKey: .level) ?? .error
        results = try c.decodeIfPresent([LinterResult.SpanResult].self, forKey: .results) ?? []
    }

    var wireValue: WireValue {
        .object([
            "id": .string(id),
            "name": .string(name),
            "description": .string(description),
            "errorDescription": .string(errorDescription),
            "passed": .bool(passed),
            "weight": .integer(Int64(weight)),
            "tips": .array(tips.map(WireValue.string)),
            "level": .string(level.rawValue),
            "results": .array(results.map(\.wireValue)),
        ])
    }
}

extension LinterResult.SpanResult {
    enum CodingKeys: String, CodingKey {
        case spanID = "spanId", passed, severity, errors
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spanID = try c.decodeIfPresent(String.self, forKey: .spanID) ?? ""
        passed = try c.decodeIfPresent(Bool.self, forKey: .passed) ?? false
        severity = try c.decodeIfPresent(RuleLevel.self, forKey: .severity)
        errors = try c.decodeIfPresent([LinterResult.SpanError].self, forKey: .errors) ?? []
    }

    /// `errors` is left out when empty, as upstream does: most of a large trace's entries are passes.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spanID, forKey: .spanID)
        try c.encode(passed, forKey: .passed)
        try c.encodeIfPresent(severity, forKey: .severity)
        if !errors.isEmpty { try c.encode(errors, forKey: .errors) }
    }

    var wireValue: WireValue {
        switch (severity, errors.isEmpty) {
        case (nil, true):
            .object(["spanId": .string(spanID), "passed": .bool(passed)])
        case (let severity?, true):
            .object(["spanId": .string(spanID), "passed": .bool(passed), "severity": .string(severity.rawValue)])
        case (nil, false):
            .object(["spanId": .string(spanID), "passed": .bool(passed), "errors": .array(errors.map(\.wireValue))])
        case (let severity?, false):
            .object([
                "spanId": .string(spanID), "passed": .bool(passed), "severity": .string(severity.rawValue),
                "errors": .array(errors.map(\.wireValue)),
            ])
        }
    }
}

extension LinterResult.SpanError {
    enum CodingKeys: String, CodingKey { case value, expected, description, suggestions }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
        expected = try c.decodeIfPresent(String.self, forKey: .expected)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        suggestions = try c.decodeIfPresent([String].self, forKey: .suggestions) ?? []
    }

    var wireValue: WireValue {
        let suggestions = WireValue.array(suggestions.map(WireValue.string))
        guard let expected else {
            return .object(["value": .string(value), "description": .string(description), "suggestions": suggestions])
        }
        return .object([
            "value": .string(value), "expected": .string(expected), "description": .string(description),
            "suggestions": suggestions,
        ])
    }
}
