import Synchronization
import TracetestConcurrency
import TracetestModel

/// A test spec ready to run: its selector and assertions parsed (through the shared cache).
package struct CompiledSpec: Sendable {
    package let selectorText: String
    package let selector: Result<Selector, LanguageError>
    package let assertions: [(text: String, assertion: Result<Assertion, LanguageError>)]

    /// Parses through the shared caches; a parse error is kept and reported by `evaluate`.
    package init(selector: String, assertions: [String]) {
        self.selectorText = selector
        self.selector = Result { () throws(LanguageError) in try Selector.cached(selector) }
        self.assertions = assertions.map { text in
            (text, Result { () throws(LanguageError) in try Assertion.cached(text) })
        }
    }

    package init(_ spec: TestSpec) {
        self.init(selector: spec.selector, assertions: spec.assertions)
    }

    /// Every assertion on every selected span, in selection order (language.md §7). With no span selected, each
    /// assertion is evaluated once without a span. An invalid selector fails every assertion with its parse error.
    package func evaluate(on index: TraceIndex, variables: any VariableLookup) -> SpecResult {
        evaluate(selection: selector.map { $0.select(in: index) }, on: index, variables: variables)
    }

    /// Evaluates `specs` on the same trace using every core: all selections, then the specs' assertions, largest
    /// selections first; results in the order of `specs`.
    package static func evaluate(_ specs: [CompiledSpec], on index: TraceIndex, variables: any VariableLookup)
        -> [SpecResult]
    {
        index.prepareGroups(for: reusedProperties(specs))
        let selections = concurrentMap(specs.indices.map { $0 }) { specs[$0].selector.map { $0.select(in: index) } }
        let largestFirst = specs.indices.sorted { left, right in
            let cost = { (position: Int) in
                ((try? selections[position].get())?.count ?? 0) * specs[position].assertions.count
            }
            return cost(left) > cost(right)
        }
        let results = concurrentMap(largestFirst) { position in
            specs[position].evaluate(selection: selections[position], on: index, variables: variables)
        }
        var ordered = results
        for (result, position) in zip(results, largestFirst) { ordered[position] = result }
        return ordered
    }

    // The properties that text-equality filters of more than one selector step read (`span[name="x"]`).
    private static func reusedProperties(_ specs: [CompiledSpec]) -> [String] {
        var uses: [String: Int] = [:]
        for case .success(let selector) in specs.map(\.selector) {
            for step in selector.alternatives.flatMap(\.steps) {
                for filter in step.filters
                where filter.operator == .equals && [.string, .boolean].contains(filter.value.kind) {
                    uses[filter.property, default: 0] += 1
                }
            }
        }
        return uses.filter { $0.value > 1 }.keys.sorted()
    }

    // `transform` of every element, computed on the compute pool's threads, in the order of `elements`.
    private static func concurrentMap<T: Sendable>(_ elements: [Int], _ transform: @escaping @Sendable (Int) -> T)
        -> [T]
    {
        ComputePool.shared.map(elements.count) { transform(elements[$0]) }
    }

    private func evaluate(selection: Result<[Int], LanguageError>, on index: TraceIndex, variables: any VariableLookup)
        -> SpecResult
    {
        let spans: [Int]
        switch selection {
        case .failure(let error):
            let failure = SpanAssertionResult(spanID: nil, observedValue: "", error: .syntax(error))
            return SpecResult(
                selector: selectorText, spanIDs: [],
                assertions: assertions.map { AssertionResult(assertion: $0.text, spanResults: [failure]) })
        case .success(let selected):
            spans = selected
        }
        let results = assertions.map { text, compiled in
            AssertionResult(
                assertion: text,
                spanResults: Self.results(
                    compiled, on: spans[...], selectedCount: spans.count, in: index, variables: variables))
        }
        let ids = index.ids
        return SpecResult(selector: selectorText, spanIDs: spans.map { ids[$0] }, assertions: results)
    }

    // The assertion on `spans` (a run of the `selectedCount` selected spans), or once without a span when none was
    // selected.
    private static func results(
        _ compiled: Result<Assertion, LanguageError>, on spans: ArraySlice<Int>, selectedCount: Int,
        in index: TraceIndex, variables: any VariableLookup
    ) -> [SpanAssertionResult] {
        let assertion: Assertion
        switch compiled {
        case .failure(let error):
            let spanIDs: [SpanID?] = spans.isEmpty ? [nil] : spans.map { index.ids[$0] }
            return spanIDs.map { SpanAssertionResult(spanID: $0, observedValue: "", error: .syntax(error)) }
        case .success(let compiled):
            assertion = compiled
        }
        guard !spans.isEmpty else {
            let outcome = assertion.evaluate(
                in: EvaluationContext(attributes: .noSpan, selectedSpanCount: 0, variables: variables))
            return [SpanAssertionResult(spanID: nil, observedValue: outcome.observedValue, error: outcome.error)]
        }
        let ids = index.ids
        let right =
            assertion.rightIsSameForEverySpan
            ? assertion.resolveRight(
                in: EvaluationContext(attributes: .noSpan, selectedSpanCount: selectedCount, variables: variables))
            : nil
        // A large selection reads its attributes from columns of the index, shared with the other specs.
        let columns = AttributeColumns(
            names: assertion.attributeNames.filter { spans.count * 4 >= index.count || index.hasColumn($0) },
            in: index)
        // The variables are wrapped for this call so that the per-span copies do not share one reference count
        // with the assertions evaluated on the other cores.
        var context = EvaluationContext(
            attributes: .noSpan, selectedSpanCount: selectedCount, variables: OwnVariables(variables))
        return spans.map { span in
            context.attributes = .row(columns, span)
            let outcome = assertion.evaluate(in: context, right: right)
            return SpanAssertionResult(spanID: ids[span], observedValue: outcome.observedValue, error: outcome.error)
        }
    }

    private final class OwnVariables: VariableLookup {
        let variables: any VariableLookup

        init(_ variables: any VariableLookup) { self.variables = variables }

        func value(of name: String) -> String? { variables.value(of: name) }
    }
}

/// The results of one spec.
package struct SpecResult: Sendable, Equatable {
    package let selector: String
    /// The selected spans, in order.
    package let spanIDs: [SpanID]
    package let assertions: [AssertionResult]

    package var allPassed: Bool { assertions.allSatisfy(\.allPassed) }
}

/// One assertion's results, one per selected span (one without a span when none was selected).
package struct AssertionResult: Sendable, Equatable {
    package let assertion: String
    package let spanResults: [SpanAssertionResult]

    package var allPassed: Bool { spanResults.allSatisfy(\.passed) }
}

/// One assertion evaluated on one span.
package struct SpanAssertionResult: Sendable, Equatable {
    /// Nil when the selector matched no span.
    package let spanID: SpanID?
    package let observedValue: String
    package let error: EvaluationError?

    package var passed: Bool { error == nil }
}
