import TracetestModel

/// The linter step as the run engine calls it (`TraceAnalyzing`): the analyzer settings and a trace in, the run's
/// `linter` value and the names of the failed gates out.
package struct TraceAnalyzer: Sendable {
    package init() {}

    /// Nil when the analyzer is disabled (`TRACE_LINTER_SKIPPED`); throws a ``LinterError`` for unknown plugin or rule
    /// ids (`ANALYZING_ERROR`).
    package func analyze(_ trace: Trace, settings: Analyzer) throws -> LinterOutcome? {
        guard let result = try Linter.lint(trace, with: settings) else { return nil }
        return LinterOutcome(
            result: .raw(result.jsonText), summary: .raw(result.summaryJSONText),
            failedGates: result.failedGates.map(\.rawValue))
    }
}

/// What the analyzer found, in wire form: the whole result, the result without span results (for run lists) and
/// the gates that failed.
package struct LinterOutcome: Sendable, Equatable {
    package var result: WireValue
    package var summary: WireValue
    package var failedGates: [String]
}
