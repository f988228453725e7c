import TracetestModel

/// A resolved output (language.md §8 with DECISIONS.md): the value from the first selected span, or why there is none.
package struct OutputResult: Sendable, Equatable {
    package let name: String
    /// The rendered value; empty when unresolved (except with no span selected, where a value that needs no span is
    /// still computed).
    package let value: String
    /// The span the value was read from.
    package let spanID: SpanID?
    package let resolved: Bool
    /// Why the output is unresolved, for the `OUTPUT_GENERATION_WARNING` event.
    package let error: String?
}

extension TestOutput {
    /// Resolves this output against a trace: the value expression on the first span the selector picks, with
    /// `tracetest.selected_spans.count` and the given variables.
    package func resolve(in index: TraceIndex, variables: any VariableLookup) -> OutputResult {
        let expression: Expression
        let selector: Selector
        do throws(LanguageError) {
            expression = try Expression.cached(value)
        } catch {
            return unresolved(error: "cannot parse output \"\(name)\" value \"\(value)\": \(error)")
        }
        do throws(LanguageError) {
            selector = try Selector.cached(self.selector)
        } catch {
            return unresolved(error: "cannot parse output \"\(name)\" selector \"\(self.selector)\": \(error)")
        }
        let spans = selector.select(in: index)
        guard let first = spans.first else {
            let context = EvaluationContext(attributes: .noSpan, selectedSpanCount: 0, variables: variables)
            let value = (try? expression.resolve(in: context)) ?? ""
            return OutputResult(
                name: name, value: value, spanID: nil, resolved: false,
                error: "cannot find matching spans for output \"\(name)\"")
        }
        let spanID = index.ids[first]
        let context = EvaluationContext(
            attributes: .span(index.attributes[first]), selectedSpanCount: spans.count, variables: variables)
        do throws(EvaluationError) {
            let value = try expression.resolve(in: context)
            return OutputResult(name: name, value: value, spanID: spanID, resolved: true, error: nil)
        } catch {
            return OutputResult(
                name: name, value: "", spanID: spanID, resolved: false,
                error: "cannot resolve output \"\(name)\" value \"\(value)\": \(error)")
        }
    }

    private func unresolved(error: String) -> OutputResult {
        OutputResult(name: name, value: "", spanID: nil, resolved: false, error: error)
    }
}
