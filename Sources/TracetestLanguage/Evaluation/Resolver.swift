import TracetestModel

// Resolves a parsed expression against a context (language.md §4.4–4.7).
struct Resolver {
    let context: EvaluationContext

    func value(of node: ExpressionNode) throws(EvaluationError) -> Value {
        var result: Value
        if node.operators.isEmpty, let first = node.filters.first, Filters.readsTextOnly(first.name),
            case .term(let term) = node.operands[0]
        {
            // The filter reads only the text: skip inferring the type (which may parse JSON).
            result = try value(of: term, inferring: false)
        } else {
            result = try arithmetic(node)
        }
        for filter in node.filters {
            var arguments: [TypedValue] = []
            for argument in filter.arguments { arguments.append(try self.argument(argument)) }
            result = try Filters.apply(filter.name, to: result, arguments: arguments)
        }
        return result
    }

    // `*` and `/` first, then `+` and `-`, each left to right.
    private func arithmetic(_ node: ExpressionNode) throws(EvaluationError) -> Value {
        guard !node.operators.isEmpty else { return try value(of: node.operands[0]) }
        var sum: TypedValue?
        var pending = ArithmeticOperator.add
        var product = try operandValue(node.operands[0])
        for (index, op) in node.operators.enumerated() {
            let next = try operandValue(node.operands[index + 1])
            if op.bindsTighter {
                product = try Arithmetic.apply(op, product, next)
            } else {
                sum =
                    try sum.map { (total: TypedValue) throws(EvaluationError) in
                        try Arithmetic.apply(pending, total, product)
                    } ?? product
                pending = op
                product = next
            }
        }
        guard let sum else { return .single(product) }
        return .single(try Arithmetic.apply(pending, sum, product))
    }

    // An arithmetic operand: arrays and nothing keep their type so the operation can refuse them.
    private func operandValue(_ operand: Operand) throws(EvaluationError) -> TypedValue {
        let value = try value(of: operand)
        if case .single(let single) = value { return single }
        return TypedValue(text: value.rendered, type: value.type)
    }

    // A function or filter argument, or an array item: one value (a nested list as its rendered text).
    private func argument(_ operand: Operand) throws(EvaluationError) -> TypedValue {
        let value = try value(of: operand)
        if case .single(let single) = value { return single }
        return TypedValue(inferring: value.rendered)
    }

    private func value(of operand: Operand) throws(EvaluationError) -> Value {
        switch operand {
        case .group(let node): return try value(of: node)
        case .term(let term): return try value(of: term, inferring: true)
        }
    }

    private func value(of term: Term, inferring: Bool) throws(EvaluationError) -> Value {
        switch term {
        case .number(let text):
            return .single(TypedValue(text: text, type: .number))
        case .duration(_, let nanoseconds):
            return .single(TypedValue(text: String(nanoseconds), type: .duration))
        case .attribute(let name, let meta):
            let text = try attribute(name, meta: meta)
            return inferring ? .inferring(text) : .single(TypedValue(text: text, type: .string))
        case .variable(let name, _):
            let text = try variable(name)
            return inferring ? .inferring(text) : .single(TypedValue(text: text, type: .string))
        case .string(let literal):
            return .inferring(try render(literal.segments))
        case .array(let items):
            var values: [TypedValue] = []
            for (index, item) in items.enumerated() {
                do throws(EvaluationError) {
                    values.append(try argument(item))
                } catch {
                    throw EvaluationError(.resolution, "at index \(index) of array: \(error.detail)")
                }
            }
            return .array(values)
        case .call(let name, let operands):
            guard let function = Functions.named(name) else {
                throw EvaluationError(.resolution, "could not find function \"\(name)\"")
            }
            var arguments: [TypedValue] = []
            for (index, operand) in operands.enumerated() {
                do throws(EvaluationError) {
                    arguments.append(try argument(operand))
                } catch {
                    throw EvaluationError(.resolution, "on argument \(index) of function \(name): \(error.message)")
                }
            }
            return .inferring(try function.invoke(arguments))
        }
    }

    // Interpolated text: each `${…}` replaced by its rendered value.
    func render(_ segments: [StringLiteral.Segment]) throws(EvaluationError) -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .text(let part): text += part
            case .interpolation(let node): text += try value(of: node).rendered
            }
        }
        return text
    }

    private static let aliases = ["name": TracetestAttributes.name]

    private func attribute(_ name: String, meta: Bool) throws(EvaluationError) -> String {
        if meta, let count = context.selectedSpanCount {
            guard name == TracetestAttributes.selectedSpansCount else {
                throw EvaluationError(
                    .metaAttribute, "could not resolve meta attribute: unknown meta attribute \(name)")
            }
            return String(count)
        }
        switch context.attributes {
        case .none:
            return ""
        case .noSpan:
            throw EvaluationError(
                .resolution,
                "there are no matching spans to retrieve the attribute \"\(name)\" from. To fix this error, create a "
                    + "selector matching at least one span.")
        case .span(let attributes):
            if let value = Self.lookup(name, in: attributes) { return value }
            throw EvaluationError(.resolution, "attribute \"\(name)\" not found")
        case .row(let columns, let row):
            if let value = columns.value(of: name, row: row) { return value }
            throw EvaluationError(.resolution, "attribute \"\(name)\" not found")
        }
    }

    /// What `attr:name` reads from a span's attributes (`name` is also `tracetest.span.name`).
    static func lookup(_ name: String, in attributes: [String: String]) -> String? {
        attributes[name] ?? aliases[name].flatMap { attributes[$0] }
    }

    private func variable(_ name: String) throws(EvaluationError) -> String {
        guard let variables = context.variables else { return "" }
        guard let value = variables.value(of: name) else {
            throw EvaluationError(.resolution, "variable \"\(name)\" not found")
        }
        return value
    }
}
