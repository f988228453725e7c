import TracetestLanguage
import TracetestModel

/// The `selector` of a spec result: `{query, structure}`, the structure being the parsed selector as Tracetest
/// writes it (`[{filters: [{property, operator, value}], pseudoClass?: {name, argument?}, childSelector?}]`).
package enum SelectorStructure {
    package static func wire(_ query: String) -> WireValue {
        guard let selector = try? Selector.cached(query) else {
            return .object(["query": .string(query), "structure": .array([])])
        }
        return .object([
            "query": .string(query), "structure": .array(selector.alternatives.map { path(Array($0.steps[...])) }),
        ])
    }

    private static func path(_ steps: [SpanSelector]) -> WireValue {
        // Nested from the innermost step outwards, so no recursion is needed.
        var child: WireValue?
        for step in steps.reversed() {
            var fields: WireObject = [
                "filters": .array(
                    step.filters.map { filter in
                        .object([
                            "property": .string(filter.property), "operator": .string(filter.operator.rawValue),
                            "value": .string(filter.value.text),
                        ])
                    })
            ]
            switch step.pseudoClass {
            case .first: fields["pseudoClass"] = .object(["name": "first"])
            case .last: fields["pseudoClass"] = .object(["name": "last"])
            case .nthChild(let position):
                fields["pseudoClass"] = .object(["name": "nth_child", "argument": .integer(Int64(position))])
            case nil: break
            }
            if let child { fields["childSelector"] = child }
            child = .object(fields)
        }
        return child ?? .object([:])
    }
}
