import TracetestLanguage
import TracetestModel

/// Evaluates specs on a trace into the run's `result` (one entry per spec, in order), keeping the language's
/// results too (their error codes decide JUnit failures and warning events).
package enum SpecEvaluation {
    package static func evaluate(_ specs: [TestSpec], on index: TraceIndex, variables: [String: String])
        -> (results: AssertionResults, details: [SpecResult])
    {
        let details = CompiledSpec.evaluate(specs.map(CompiledSpec.init), on: index, variables: variables)
        let results = details.map { spec in
            AssertionResults.SpecResult(
                selector: SelectorStructure.wire(spec.selector),
                results: spec.assertions.map { assertion in
                    AssertionResults.Assertion(
                        assertion: assertion.assertion,
                        spanResults: assertion.spanResults.map {
                            AssertionResults.SpanResult(
                                spanID: $0.spanID?.hex, observedValue: $0.observedValue, passed: $0.passed,
                                error: $0.error?.message)
                        })
                })
        }
        return (AssertionResults(results: results), details)
    }
}
