import Testing
import TracetestModel

@testable import TracetestLanguage

// `derived_from_code`: behaviour read from the reference code. Entries marked `superseded_by_decisions` check the
// decided outcome; the two entries decided against are checked against `decidedAgainst` (see COMPATIBILITY).
@Suite struct DerivedVectorTests {
    @Test(arguments: Vectors.derived("selector_parse"))
    func selectorParse(_ vector: Vector) {
        VectorChecks.selectorParses(vector.selector!, valid: vector.valid!)
    }

    @Test(arguments: Vectors.derived("selector_match"))
    func selectorMatch(_ vector: Vector) throws {
        try VectorChecks.selects(vector, vector.expected_span_ids!)
    }

    // Observed values of durations are exact (`1.5ms`, not `2ms`), since comparisons are exact (DECISIONS.md).
    static let decidedObservedValues = ["attr:tracetest.span.duration > 1ms": "1.5ms"]

    @Test(arguments: Vectors.derived("assertion_eval"))
    func assertionEval(_ vector: Vector) throws {
        let superseded = vector.superseded_by_decisions == true
        try VectorChecks.assertion(
            vector, passes: superseded ? vector.decided_expected_pass! : vector.expected_pass!,
            observed: Self.decidedObservedValues[vector.assertion!] ?? vector.expected_observed_value,
            error: superseded ? nil : vector.expected_error_message)
    }

    @Test(arguments: Vectors.derived("expression_eval"))
    func expressionEval(_ vector: Vector) {
        VectorChecks.resolves(vector, to: .success(vector.expected!.string!))
    }

    @Test(arguments: Vectors.derived("outputs"))
    func outputs(_ vector: Vector) {
        let expected = vector.expected!
        if vector.output!["value"]!.string == "attr:missing" {
            // DECISIONS.md: output errors are not swallowed.
            VectorChecks.output(
                vector, value: "", resolved: false, spanID: "0000000000000001",
                error:
                    "cannot resolve output \"OUT\" value \"attr:missing\": resolution error: attribute \"missing\" not found"
            )
            return
        }
        VectorChecks.output(
            vector, value: expected["value"]!.string!, resolved: expected["resolved"] == .bool(true),
            spanID: expected["span_id"]!.string!, error: expected["error"]?.string)
    }

    @Test(arguments: Vectors.derived("assertion_executor"))
    func assertionExecutor(_ vector: Vector) {
        let result = VectorChecks.specResult(vector)
        #expect(result.allPassed == (vector.expected!["all_passed"] == .bool(true)))
        let errors = result.assertions.flatMap(\.spanResults).compactMap(\.error?.message)
        #expect(errors == [vector.expected!["error"]!.string!])
    }
}
