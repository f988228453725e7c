import Foundation
import Synchronization
import TracetestConcurrency
import TracetestModel

/// Grades a trace against an analyzer's plugins and rules (ui-analyzer.md Part 2). Built once per analyzer, it can
/// lint any number of traces.
package struct Linter: Sendable {
    // The plugins that run (enabled ones), with the built-in names and texts merged in.
    let plugins: [PlannedPlugin]
    let minimumScore: Int

    /// Checks the analyzer's plugin and rule ids against the built-in ones (all plugins, enabled or not) and merges
    /// their names, descriptions and tips. Does not look at `analyzer.enabled`.
    package init(analyzer: Analyzer) throws(LinterError) {
        var plugins: [PlannedPlugin] = []
        for plugin in analyzer.plugins {
            let planned = try PlannedPlugin(plugin)
            if plugin.enabled { plugins.append(planned) }
        }
        self.plugins = plugins
        self.minimumScore = analyzer.minimumScore
    }

    /// Lints `trace` with `analyzer`: nil when the analyzer is disabled (the linter step is skipped).
    package static func lint(_ trace: Trace, with analyzer: Analyzer) throws(LinterError) -> LinterResult? {
        guard analyzer.enabled else { return nil }
        return try Linter(analyzer: analyzer).lint(trace)
    }

    /// Runs every rule of every enabled plugin on every span of `trace` and scores the result. Large traces are
    /// split into parts linted in parallel; the result does not depend on it.
    package func lint(_ trace: Trace) -> LinterResult {
        let running = plugins.flatMap { $0.rules.filter { $0.level != .disabled } }
        var outcomes = Self.evaluate(trace.spans, rules: running)
        var next = 0
        var pluginResults: [LinterResult.Plugin] = []
        pluginResults.reserveCapacity(plugins.count)
        for plugin in plugins {
            var rules: [LinterResult.Rule] = []
            rules.reserveCapacity(plugin.rules.count)
            for rule in plugin.rules {
                var outcome = RuleOutcome(capacity: 0)
                if rule.level != .disabled {
                    swap(&outcome, &outcomes[next])
                    next += 1
                }
                rules.append(
                    LinterResult.Rule(
                        id: rule.id, name: rule.name, description: rule.description,
                        errorDescription: rule.errorDescription, passed: outcome.passed, weight: rule.weight,
                        tips: rule.tips, level: rule.level, results: outcome.results
                    )
                )
            }
            pluginResults.append(Scoring.plugin(name: plugin.name, description: plugin.description, rules: rules))
        }
        return Scoring.linter(plugins: pluginResults, minimumScore: minimumScore)
    }
}

extension Linter {
    // Spans per part when a trace is linted in parallel.
    static let partSize = 16_384

    // Each rule's results over `spans`, in order: in parts on all processors when there are many spans.
    static func evaluate(_ spans: [Span], rules: [PlannedRule]) -> [RuleOutcome] {
        let parts = rules.isEmpty ? 1 : min((spans.count + partSize - 1) / partSize, processors)
        guard parts > 1 else { return evaluate(spans[...], rules: rules) }
        let results = Mutex<[Int: [RuleOutcome]]>([:])
        ComputePool.shared.parallelFor(parts) { part in
            let bounds = (spans.count * part / parts)..<(spans.count * (part + 1) / parts)
            let outcomes = evaluate(spans[bounds], rules: rules)
            results.withLock { $0[part] = outcomes }
        }
        var parted = results.withLock { $0 }
        var outcomes = parted.removeValue(forKey: 0) ?? []
        for part in 1..<parts {
            for (index, outcome) in (parted.removeValue(forKey: part) ?? []).enumerated() {
                outcomes[index].append(outcome)
            }
        }
        return outcomes
    }

    static func evaluate(_ spans: ArraySlice<Span>, rules: [PlannedRule]) -> [RuleOutcome] {
        var outcomes = rules.map { _ in RuleOutcome(capacity: spans.count) }
        guard !rules.isEmpty else { return outcomes }
        let kinds = rules.map(\.kind)
        var scratch = Scratch()
        for span in spans {
            let view = SpanView(span)
            for index in kinds.indices {
                guard let errors = kinds[index].evaluate(view, scratch: &scratch) else { continue }
                outcomes[index].record(span: view.id, errors: errors, level: rules[index].level)
            }
        }
        return outcomes
    }

    static let processors = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
}

// A plugin as it runs: its rules sorted by level, texts from the catalogue.
struct PlannedPlugin: Sendable {
    var name: String
    var description: String
    var rules: [PlannedRule]

    init(_ plugin: Analyzer.Plugin) throws(LinterError) {
        guard let builtIn = Catalogue.plugin(plugin.id) else { throw .unknownPlugin(plugin.id) }
        name = builtIn.name ?? plugin.id
        description = builtIn.description ?? ""
        var rules: [PlannedRule] = []
        for rule in plugin.rules {
            guard let meta = builtIn.rules.first(where: { $0.id == rule.id }), let kind = RuleKind(rawValue: rule.id)
            else { throw .unknownRule(plugin: plugin.id, rule: rule.id) }
            guard let level = RuleLevel(rawValue: rule.errorLevel) else {
                throw .unknownErrorLevel(rule: rule.id, level: rule.errorLevel)
            }
            rules.append(
                PlannedRule(
                    kind: kind, id: rule.id, name: meta.name ?? rule.id, description: meta.description ?? "",
                    errorDescription: meta.errorDescription ?? "", tips: meta.tips ?? [], weight: rule.weight,
                    level: level
                )
            )
        }
        // Stable: error rules first, then warnings, then disabled rules.
        self.rules = rules.enumerated()
            .sorted { ($0.element.level.rank, $0.offset) < ($1.element.level.rank, $1.offset) }
            .map(\.element)
    }
}

struct PlannedRule: Sendable {
    var kind: RuleKind
    var id: String
    var name: String
    var description: String
    var errorDescription: String
    var tips: [String]
    var weight: Int
    var level: RuleLevel
}

extension RuleLevel {
    // The order of rules in a plugin result.
    var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .disabled: 2
        }
    }
}

// The results one rule collects while the spans are walked.
struct RuleOutcome {
    var results: [LinterResult.SpanResult] = []
    var passed = true

    init(capacity: Int) { results.reserveCapacity(capacity) }

    mutating func append(_ other: RuleOutcome) {
        results.append(contentsOf: other.results)
        passed = passed && other.passed
    }

    mutating func record(span id: String, errors: [LinterResult.SpanError], level: RuleLevel) {
        if errors.isEmpty {
            results.append(LinterResult.SpanResult(spanID: id, passed: true))
        } else {
            passed = false
            results.append(LinterResult.SpanResult(spanID: id, passed: false, severity: level, errors: errors))
        }
    }
}

// The built-in plugins and rules (`Analyzer.builtInPlugins`).
enum Catalogue {
    static func plugin(_ id: String) -> Analyzer.Plugin? { Analyzer.builtInPlugins.first { $0.id == id } }
    static var pluginIDs: [String] { Analyzer.builtInPlugins.map(\.id) }
    static func ruleIDs(of plugin: String) -> [String] { self.plugin(plugin)?.rules.map(\.id) ?? [] }
}
