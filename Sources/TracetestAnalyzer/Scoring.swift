// Scores and verdicts (ui-analyzer.md §2.5).
enum Scoring {
    // Only error-level rules count: score = ⌊100 · passed weight / total weight⌋ (100 when the total is 0); the
    // plugin passes when all of them pass. Negative weights count as 0.
    static func plugin(name: String, description: String, rules: [LinterResult.Rule]) -> LinterResult.Plugin {
        var total: Int64 = 0
        var passedWeight: Int64 = 0
        var passed = true
        for rule in rules where rule.level == .error {
            let weight = Int64(min(max(rule.weight, 0), Int(Int32.max)))
            total += weight
            if rule.passed { passedWeight += weight } else { passed = false }
        }
        let score = total == 0 ? 100 : Int(100 * passedWeight / total)
        return LinterResult.Plugin(name: name, description: description, passed: passed, score: score, rules: rules)
    }

    // score = ⌊Σ plugin scores / number of plugins⌋ (100 without plugins); passed when every plugin passed.
    static func linter(plugins: [LinterResult.Plugin], minimumScore: Int) -> LinterResult {
        let score = plugins.isEmpty ? 100 : plugins.reduce(0) { $0 + $1.score } / plugins.count
        return LinterResult(
            minimumScore: minimumScore, passed: plugins.allSatisfy(\.passed), score: score, plugins: plugins)
    }
}
