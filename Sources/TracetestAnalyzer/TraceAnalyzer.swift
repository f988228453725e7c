import TracetestModel

/// The linter step as the run engine calls it (`TraceAnalyzing`): the analyzer settings and a trace in, the run's
/// `linter` value and the names of the failed gates out.
package struct TraceAnalyzer: Sendable {
    package init() {}

    /// Nil when the analyzer is disabled (`TRACE_LINTER_SKIPPED`); throws a ``LinterError`` for unknown plugin or rule
    /// ids (`ANALYZING_ERROR`).
    package func analyze(_ trace: Trace, settings: Analyzer) throws -> (result: WireValue, failedGates: [String])? {
        guard let result = try Linter.lint(trace, with: settings) else { return nil }
        return (.raw(result.jsonText), result.failedGates.map(\.rawValue))
    }
}
