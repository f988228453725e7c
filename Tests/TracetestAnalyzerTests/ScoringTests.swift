import Testing
import TracetestModel

@testable import TracetestAnalyzer

/// The worked example of ui-analyzer.md §2.5: two http spans with only a method and a plain-http localhost URL, a
/// messaging span without `messaging.system`, a database span with only a statement; no names, no kinds.
let workedExample = [
    span(1, type: "http", ["http.method": "POST", "http.url": "http://localhost:11633"]),
    span(2, type: "http", ["http.method": "GET", "http.url": "http://localhost:11633"]),
    span(3, type: "messaging", ["messaging.target": "user.sync", "messaging.system1": "kafka"]),
    span(4, type: "database", ["db.statement": "INSERT INTO users (name, email) VALUES ($1, $2)"]),
]

@Suite("Scoring")
struct ScoringTests {
    @Test("the worked example scores 73 and fails")
    func workedExampleScores() throws {
        let result = try Linter(analyzer: analyzer()).lint(trace(workedExample))
        #expect(result.score == 73)
        #expect(!result.passed)
        #expect(result.minimumScore == 0)
        #expect(result.plugins.map(\.name) == ["OTel Semantic Conventions", "Common Problems", "Security"])
        #expect(result.plugins.map(\.score) == [50, 100, 70])
        #expect(result.plugins.map(\.passed) == [false, true, false])
        let passed = Dictionary(uniqueKeysWithValues: result.plugins.flatMap(\.rules).map { ($0.id, $0.passed) })
        #expect(
            passed == [
                "span-naming": false, "required-attributes": false, "attribute-naming": true,
                "no-empty-attributes": true, "prefer-dns": true, "secure-https-protocol": false,
                "no-api-key-leak": true,
            ])
        #expect(result.failedGates == [.analyzerRules])
    }

    @Test("only error rules count: {25 ✔, 30 warning ✘, 30 disabled, 30 ✘, 80 ✔} → ⌊100·105/135⌋ = 77")
    func weights() {
        func rule(_ weight: Int, _ level: RuleLevel, _ passed: Bool) -> LinterResult.Rule {
            LinterResult.Rule(
                id: "r", name: "", description: "", errorDescription: "", passed: passed, weight: weight, tips: [],
                level: level, results: [])
        }
        let plugin = Scoring.plugin(
            name: "p", description: "",
            rules: [
                rule(25, .error, true), rule(30, .warning, false), rule(30, .disabled, true), rule(30, .error, false),
                rule(80, .error, true),
            ])
        #expect(plugin.score == 77)
        #expect(!plugin.passed)
        let warningsOnly = Scoring.plugin(name: "p", description: "", rules: [rule(30, .warning, false)])
        #expect(warningsOnly.score == 100 && warningsOnly.passed)
        let empty = Scoring.plugin(name: "p", description: "", rules: [])
        #expect(empty.score == 100 && empty.passed)
        let zeroWeights = Scoring.plugin(name: "p", description: "", rules: [rule(0, .error, false)])
        #expect(zeroWeights.score == 100 && !zeroWeights.passed)
        let negative = Scoring.plugin(
            name: "p", description: "", rules: [rule(-50, .error, true), rule(50, .error, false)])
        #expect(negative.score == 0)
    }

    @Test("configured weights: span-naming 75 failing, the other three 25 passing → standards 50")
    func configuredWeights() throws {
        let result = try Linter(analyzer: analyzer(weights: ["span-naming": 75])).lint(
            trace([
                span(
                    1, "wrong", kind: .client, type: "http",
                    ["http.method": "GET", "http.url": "https://a", "net.peer.name": "a"])
            ])
        )
        let standards = result.plugins[0]
        #expect(standards.rules.map(\.passed) == [false, true, true, true])
        #expect(standards.score == 50)
        #expect(standards.rules[0].weight == 75)
    }

    @Test("a warning rule runs and reports but neither scores nor fails; a disabled rule passes with no results")
    func levels() throws {
        let result = try Linter(
            analyzer: analyzer(levels: ["span-naming": "disabled", "attribute-naming": "warning"])
        ).lint(trace([span(1, "x", type: "http", ["Bad": "v", "http.method": "GET"])]))
        let standards = result.plugins[0]
        #expect(
            standards.rules.map(\.id) == [
                "required-attributes", "no-empty-attributes", "attribute-naming", "span-naming",
            ])
        #expect(standards.rules.map(\.level) == [.error, .error, .warning, .disabled])
        let naming = standards.rules[2]
        #expect(!naming.passed)
        #expect(naming.results.map(\.severity) == [.warning])
        #expect(standards.rules[3].passed && standards.rules[3].results.isEmpty)
        #expect(standards.passed)
        #expect(standards.score == 100)
    }

    @Test("a disabled plugin is not run, listed or averaged")
    func disabledPlugin() throws {
        let result = try Linter(analyzer: analyzer(disabledPlugins: ["security"])).lint(trace(workedExample))
        #expect(result.plugins.map(\.name) == ["OTel Semantic Conventions", "Common Problems"])
        #expect(result.score == 75)
        #expect(!result.passed)
    }

    @Test("no enabled plugin: score 100, passed, no plugins")
    func noPlugins() throws {
        let result = try Linter(analyzer: analyzer(disabledPlugins: ["standards", "common", "security"])).lint(
            trace(workedExample))
        #expect(result == LinterResult(minimumScore: 0, passed: true, score: 100, plugins: []))
        let none = try Linter(analyzer: Analyzer(id: "current", name: "a", enabled: true, plugins: [])).lint(
            trace(workedExample))
        #expect(none.score == 100 && none.passed && none.plugins.isEmpty)
    }

    @Test("the linter score rounds down: (100 + 100 + 70) / 3 = 90")
    func linterRounding() throws {
        let clean = span(
            1, "GET", kind: .client, type: "http",
            ["http.method": "GET", "http.url": "https://a", "net.peer.name": "a", "http.scheme": "https"])
        let plain = span(
            2, "GET", kind: .client, type: "http",
            ["http.method": "GET", "http.url": "https://a", "net.peer.name": "a", "http.scheme": "http"])
        let result = try Linter(analyzer: analyzer()).lint(trace([clean, plain]))
        #expect(result.plugins.map(\.score) == [100, 100, 70])
        #expect(result.score == 90)
    }
}

@Suite("Gates")
struct GateTests {
    @Test(
        "analyzer-rules when not passed, analyzer-score when below the minimum",
        arguments: [
            (true, 80, 80, [AnalyzerGate]()), (true, 79, 80, [.analyzerScore]), (false, 100, 0, [.analyzerRules]),
            (false, 60, 80, [.analyzerRules, .analyzerScore]),
        ])
    func gates(passed: Bool, score: Int, minimum: Int, failed: [AnalyzerGate]) {
        let result = LinterResult(minimumScore: minimum, passed: passed, score: score, plugins: [])
        #expect(result.failedGates == failed)
    }

    @Test("the minimum score is copied from the analyzer and fails only analyzer-score")
    func minimumScore() throws {
        let below = try Linter(analyzer: analyzer(minimumScore: 74)).lint(trace(workedExample))
        #expect(below.minimumScore == 74)
        #expect(below.failedGates == [.analyzerRules, .analyzerScore])
        let clean = [span(1, "work", kind: .internal, ["app.step": "1"])]
        let passing = try Linter(analyzer: analyzer(minimumScore: 100)).lint(trace(clean))
        #expect(passing.score == 100 && passing.failedGates.isEmpty)
        #expect(AnalyzerGate.allCases.map(\.rawValue) == ["analyzer-rules", "analyzer-score"])
    }
}
