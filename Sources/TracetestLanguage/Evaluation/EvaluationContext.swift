/// Where an expression's references come from: the current span's attributes, the number of spans the selector
/// matched, and the variables (`var:NAME`, `env:NAME`).
package struct EvaluationContext: Sendable {
    /// The attribute store.
    package enum Attributes: Sendable {
        /// No store: `attr:X` resolves to the empty text (trigger fields, the resolve API).
        case none
        /// The selector matched nothing: `attr:X` fails with "there are no matching spans…".
        case noSpan
        /// The current span's attributes.
        case span([String: String])
        /// Span `row` of the attribute columns an assertion reads (spec evaluation on a ``TraceIndex``).
        case row(AttributeColumns, Int)
    }

    package var attributes: Attributes
    /// `tracetest.selected_spans.count`; nil reads that name as an ordinary attribute.
    package var selectedSpanCount: Int?
    /// Nil: no store, unknown variables resolve to the empty text; otherwise an unknown variable is an error.
    package var variables: (any VariableLookup)?

    package init(attributes: Attributes = .none, selectedSpanCount: Int? = nil, variables: (any VariableLookup)? = nil)
    {
        self.attributes = attributes
        self.selectedSpanCount = selectedSpanCount
        self.variables = variables
    }
}

/// Variable values by name: a variable set, with the outputs of earlier steps merged in by the engine.
package protocol VariableLookup: Sendable {
    func value(of name: String) -> String?
}

extension Dictionary: VariableLookup where Key == String, Value == String {
    package func value(of name: String) -> String? { self[name] }
}

/// Some attributes of every span of a trace as columns, by span index: each read once per trace and shared by every
/// assertion that reads the same attribute. Other names are looked up in the span's attributes.
package final class AttributeColumns: Sendable {
    let names: [String]
    /// Column after column, `rows` values each.
    let values: [String?]
    let rows: Int
    let spans: [[String: String]]

    /// Columns of `names` (those of a large selection) from the trace index.
    init(names: [String], in index: TraceIndex) {
        self.names = names
        self.values = names.flatMap(index.column)
        self.rows = index.count
        self.spans = index.attributes
    }

    func value(of name: String, row: Int) -> String? {
        for index in names.indices where names[index] == name { return values[index * rows + row] }
        return Resolver.lookup(name, in: spans[row])
    }
}
