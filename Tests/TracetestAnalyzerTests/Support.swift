import Testing
import TracetestAnalyzer
import TracetestModel

/// A span with id `number` and the given `tracetest.span.type` (none when nil); no metadata is injected.
func span(
    _ number: UInt64, _ name: String = "", kind: SpanKind = .unspecified, type: String? = nil,
    _ attributes: [String: String] = [:]
) -> Span {
    var attributes = attributes
    if let type { attributes[TracetestAttributes.type] = type }
    return Span(id: SpanID(number), name: name, kind: kind, attributes: attributes)
}

/// A span with id `number`, no name and these attributes.
func span(_ number: UInt64, _ attributes: [String: String]) -> Span {
    span(number, "", type: nil, attributes)
}

/// The hex id of `span(number)`.
func hex(_ number: UInt64) -> String { SpanID(number).hex }

/// The spans as a trace: the first is the root, the others hang under it, in order.
func trace(_ spans: [Span]) -> Trace {
    Trace(traceID: TraceID(high: 1, low: 2), assembled: spans)
}

/// The default analyzer with `levels` applied to the named rules.
func analyzer(
    minimumScore: Int = 0, levels: [String: String] = [:], weights: [String: Int] = [:],
    disabledPlugins: Set<String> = []
) -> Analyzer {
    var analyzer = Analyzer.defaultAnalyzer
    analyzer.minimumScore = minimumScore
    for p in analyzer.plugins.indices {
        analyzer.plugins[p].enabled = !disabledPlugins.contains(analyzer.plugins[p].id)
        for r in analyzer.plugins[p].rules.indices {
            let id = analyzer.plugins[p].rules[r].id
            if let level = levels[id] { analyzer.plugins[p].rules[r].errorLevel = level }
            if let weight = weights[id] { analyzer.plugins[p].rules[r].weight = weight }
        }
    }
    return analyzer
}

/// Lints with the default analyzer, every rule but `rule` disabled, and returns that rule's result.
func lint(_ spans: [Span], rule: String) throws -> LinterResult.Rule {
    let ruleIDs = Analyzer.builtInPlugins.flatMap(\.rules).map(\.id)
    let levels = Dictionary(uniqueKeysWithValues: ruleIDs.filter { $0 != rule }.map { ($0, "disabled") })
    let result = try Linter(analyzer: analyzer(levels: levels)).lint(trace(spans))
    return try #require(result.plugins.flatMap(\.rules).first { $0.id == rule })
}

/// The errors of `span` in a rule result (empty when it passed), failing the test when the span has no entry.
func errors(of number: UInt64, in rule: LinterResult.Rule) throws -> [LinterResult.SpanError] {
    try #require(rule.results.first { $0.spanID == hex(number) }).errors
}

typealias SpanError = LinterResult.SpanError
