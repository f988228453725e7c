import Foundation
import Testing
import TracetestModel

@testable import TracetestLanguage

// Every entry of language-vectors.json outside `derived_from_code` and `go_quirks_do_not_copy` (see
// DerivedVectorTests and DecidedQuirkTests).
@Suite struct VectorTests {
    @Test(arguments: Vectors.file.selector_parse)
    func selectorParse(_ vector: Vector) throws {
        VectorChecks.selectorParses(Vectors.selectorText(vector.selector!), valid: vector.valid!)
        guard let parsed = vector.parsed else { return }
        let selector = try Selector(parsing: vector.selector!)
        #expect(JSONFixture.array(selector.alternatives.map(Self.shape)) == parsed)
    }

    // `span[a] span[b]` in the vectors' shape: `{filters, child?, pseudo_class?}`.
    private static func shape(_ path: SelectorPath) -> JSONFixture {
        path.steps.reversed().reduce(nil) { (child: JSONFixture?, step: SpanSelector) in
            var fields: [String: JSONFixture] = [
                "filters": .array(
                    step.filters.map {
                        .object([
                            "property": .string($0.property), "operator": .string($0.operator.rawValue),
                            "value": .object([
                                "type": .string($0.value.kind == .integer ? "int" : $0.value.kind.rawValue),
                                "raw": .string($0.value.raw),
                            ]),
                        ])
                    })
            ]
            if let child { fields["child"] = child }
            if case .nthChild(let n) = step.pseudoClass {
                fields["pseudo_class"] = .object(["name": .string("nth_child"), "arg": .number(Double(n))])
            }
            return .object(fields)
        }!
    }

    @Test(arguments: Vectors.file.selector_match)
    func selectorMatch(_ vector: Vector) throws {
        try VectorChecks.selects(vector, vector.expected_span_ids!)
    }

    @Test(arguments: Vectors.file.expression_parse)
    func expressionParse(_ vector: Vector) throws {
        let assertion = try Assertion(parsing: vector.input!.string!)
        #expect(SyntaxTreeShape.statement(assertion) == vector.ast!)
    }

    @Test(arguments: Vectors.file.tokens)
    func tokens(_ vector: Vector) throws {
        let tokens = try Assertion(parsing: vector.statement!).tokens
        let expected = vector.expected!.array!.map { "\($0["type"]!.string!) \($0["identifier"]!.string!)" }
        #expect(tokens.map { "\($0.kind.rawValue) \($0.identifier)" } == expected)
    }

    @Test(arguments: Vectors.file.assertion_eval)
    func assertionEval(_ vector: Vector) throws {
        let superseded = vector.superseded_by_decisions == true
        try VectorChecks.assertion(
            vector, passes: superseded ? vector.decided_expected_pass! : vector.expected_pass!,
            observed: superseded ? nil : vector.expected_observed_value, error: vector.expected_error_message)
    }

    @Test(arguments: Vectors.file.expression_eval)
    func expressionEval(_ vector: Vector) {
        let expected: Result<String, EvaluationError> =
            vector.expected_error!
            ? .failure(EvaluationError(.resolution, String(vector.expected_error_message!.dropFirst(18))))
            : .success(vector.expected!.string!)
        VectorChecks.resolves(vector, to: expected)
    }

    @Test(arguments: Vectors.file.filters)
    func filters(_ vector: Vector) {
        let input = vector.input!
        let value: Value =
            input["kind"]!.string! == "single"
            ? .inferring(input["value"]!.string!)
            : .array(input["items"]!.array!.map { TypedValue(inferring: $0.string!) })
        let arguments = vector.args!.array!.map { TypedValue(inferring: $0.string!) }
        let result = Result { () throws(EvaluationError) in
            try Filters.apply(vector.filter!, to: value, arguments: arguments)
        }
        switch result {
        case .success(let output):
            #expect(!vector.expected_error!)
            #expect(output.rendered == vector.expected?.string)
        case .failure(let error):
            #expect(vector.expected_error!, "\(error)")
            #expect(error.code == .filter)
            if let message = vector.note?.components(separatedBy: "message: ").last {
                #expect(error.message == "\(vector.filter!): \(message)")
            }
        }
    }

    @Test(arguments: Vectors.file.comparators)
    func comparators(_ vector: Vector) throws {
        let comparator = try #require(Comparator(symbol: vector.comparator!))
        let result = Result { () throws(EvaluationError) in
            try comparator.compare(actual: vector.actual!, expected: vector.expected!.string!)
        }
        switch (vector.outcome!, result) {
        case ("pass", .success): break
        case ("no_match", .failure(let error)): #expect(error.code == .noMatch && error.message == "no match")
        case ("error", .failure(let error)): #expect(error.message == vector.error_message)
        default: Issue.record("expected \(vector.outcome!), got \(result)")
        }
    }

    @Test(arguments: Vectors.file.comparator_registry)
    func comparatorRegistry(_ vector: Vector) {
        if let lookup = vector.lookup {
            #expect((Comparator(symbol: lookup) != nil) == vector.expected_found)
        }
        for symbol in vector.symbols ?? [] {
            #expect(Comparator(symbol: symbol)?.symbol == symbol)
        }
    }

    @Test(arguments: Vectors.file.durations)
    func durations(_ vector: Vector) {
        if vector.direction == "ns_to_text" {
            #expect(DurationText.upstreamText(vector.input_ns!) == vector.expected?.string)
        } else {
            #expect(DurationText.nanoseconds(vector.input!.string!) == vector.expected_ns)
        }
    }

    @Test(arguments: Vectors.file.functions)
    func functions(_ vector: Vector) throws {
        guard vector.action == "invoke" else {
            #expect(Functions.named(vector.name!) == nil)
            let outcome = try Assertion(parsing: "nothing() = 1").evaluate(in: EvaluationContext())
            #expect(outcome.error?.message == "resolution error: could not find function \"nothing\"")
            return
        }
        let function = try #require(Functions.named(vector.name!))
        let arguments = vector.args!.array!.map {
            TypedValue(text: $0["value"]!.string!, type: ValueType(rawValue: $0["type"]!.string!)!)
        }
        let result = Result { () throws(EvaluationError) in try function.invoke(arguments) }
        if let fragment = vector.expected_error_contains {
            #expect((try? result.get()) == nil)
            if case .failure(let error) = result { #expect(error.message.contains(fragment)) }
        } else {
            let number = try #require(Int(try result.get()))
            #expect((1...100).contains(number))
        }
    }

    @Test(arguments: Vectors.file.missing_variables)
    func missingVariables(_ vector: Vector) {
        let fields = vector.fields!.compactMap { field -> MissingVariables.Field? in
            switch field.mode {
            case "expr": return .template(field.value)
            case "stmt": return .assertion(field.value)
            default: return nil
            }
        }
        #expect(MissingVariables.detect(in: fields, available: Set(vector.available!)) == vector.expected_missing)
    }

    @Test(arguments: Vectors.file.span_types)
    func spanTypes(_ vector: Vector) {
        var attributes = vector.attributes!
        attributes[TracetestAttributes.name] = vector.name!
        #expect(SpanType.infer(name: vector.name!, attributes: attributes).rawValue == vector.expected_type)
    }

    @Test(arguments: Vectors.file.trace_assembly)
    func traceAssembly(_ vector: Vector) throws {
        let ids = Dictionary(uniqueKeysWithValues: vector.spans!.enumerated().map { ($1.id, SpanID(UInt64($0 + 1))) })
        let spans = vector.spans!.map { span in
            Span(
                id: ids[span.id]!, parentID: span.parentId.flatMap { ids[$0] }, name: span.name,
                startTimeUnixNano: span.start_offset_s! * 1_000_000_000 + 1,
                endTimeUnixNano: span.end_offset_s! * 1_000_000_000 + 1, attributes: span.attributes)
        }
        let trace = Trace(traceID: TraceID(high: 1, low: 1), spans: spans, now: 100_000_000_000)
        let expected = vector.expected!
        if let root = expected["root"]?.string { #expect(trace.root.name == root) }
        if let rootID = expected["root_id"]?.string { #expect(trace.root.id == ids[rootID]) }
        if case .number(let count)? = expected["flat_count"] { #expect(trace.count == Int(count)) }
        if let tree = expected["tree"] { #expect(Self.tree(of: 0, in: trace) == tree) }
    }

    // `{name: [children…]}` as the vectors write trees.
    private static func tree(of index: Int, in trace: Trace) -> JSONFixture {
        .object([trace.spans[index].name: .array(trace.children(of: index).map { tree(of: $0, in: trace) })])
    }
}
