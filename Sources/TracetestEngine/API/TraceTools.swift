import TracetestConcurrency
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// The tools that read a run's trace (api-resources.md §3.1, §3.3): select, search spans, dry run, resolve an
/// expression. They change nothing; the CPU work runs on the compute pool.
extension RunEngine {
    /// `GET .../select?query=`: the parsed selector and the ids of the spans it selects.
    package func select(testID: String, runID: Int, query: String) async throws -> WireValue {
        let (_, trace) = try await runWithTrace(testID: testID, runID: runID)
        let selector = try Self.parse(query, field: nil)
        return await ComputePool.shared.run {
            let index = TraceIndex(trace)
            return .object([
                "selector": SelectorStructure.wire(query),
                "spanIds": .array(selector.select(in: index).map { .string(trace.spans[$0].id.hex) }),
            ])
        }
    }

    /// `POST .../search-spans`: the ids of the spans a selector selects, or whose name or attributes contain the
    /// query (case-insensitive) when it is not a selector.
    package func searchSpans(testID: String, runID: Int, _ search: SpanSearch) async throws -> [SpanID] {
        guard !search.query.isEmpty else { throw RunRequestError.invalidRequest("query is empty") }
        let (_, trace) = try await runWithTrace(testID: testID, runID: runID)
        return await ComputePool.shared.run { search.matches(in: trace) }
    }

    /// `PUT .../dry-run`: specs evaluated on the run's trace with its variables, as the run's `result` would be
    /// (JSON); nothing is saved.
    package func dryRun(testID: String, runID: Int, _ request: DryRun) async throws -> WireValue {
        let (run, trace) = try await runWithTrace(testID: testID, runID: runID)
        let variables = run.variableSet.lookup
        return await ComputePool.shared.run {
            .raw(SpecEvaluation.evaluate(request.specs, on: TraceIndex(trace), variables: variables).results.jsonText)
        }
    }

    /// `POST /api/expressions/resolve`: the expression resolved to text, on the spans of a run's trace when the
    /// context names a run, with the values of a variable set when it names one.
    package func resolve(_ request: ResolveRequest) async throws -> [String] {
        guard !request.expression.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RunRequestError.invalidRequest(
                "expression is empty: send the expression to resolve in \"expression\"")
        }
        let context = request.context
        // Without a variable set the store is empty: a variable that does not exist is an error, as in a run (a
        // typo is reported, not read as "").
        var variables: [String: String] = [:]
        if !context.variableSetID.isEmpty {
            guard let set = try await store.variableSets.get(context.variableSetID) else {
                throw RunRequestError.invalidRequest(
                    "context.variableSetId: variable set \"\(context.variableSetID)\" not found")
            }
            variables = RunVariableSet(values: set.values).lookup
        }
        let expression = request.expression
        guard !context.testID.isEmpty, let runID = context.runID else {
            let evaluation = EvaluationContext(variables: variables)
            return [try await ComputePool.shared.run { try Self.evaluate(expression, evaluation) }]
        }
        let trace = try await runWithTrace(testID: context.testID, runID: runID).trace
        let selector = try Self.parse(context.selector, field: "context.selector")
        var position: Int?
        if !context.spanID.isEmpty {
            guard let spanID = SpanID(hex: context.spanID) else {
                throw RunRequestError.invalidRequest(
                    "context.spanId: \"\(context.spanID)\" is not a span id (16 hexadecimal digits)")
            }
            guard let found = trace.index(of: spanID) else {
                throw RunRequestError.invalidRequest(
                    "context.spanId: span \(context.spanID) is not in the trace of run \(runID) of test "
                        + "\(context.testID)")
            }
            position = found
        }
        let (only, values) = (position, variables)
        return try await ComputePool.shared.run {
            let selected = selector.select(in: TraceIndex(trace))
            return try (only.map { [$0] } ?? selected).map { position in
                try Self.evaluate(
                    expression,
                    EvaluationContext(
                        attributes: .span(trace.spans[position].attributes), selectedSpanCount: selected.count,
                        variables: values))
            }
        }
    }

    private static func evaluate(_ expression: String, _ context: EvaluationContext) throws -> String {
        do {
            return try StatementResolution.resolve(expression, in: context)
        } catch {
            throw RunRequestError.invalidRequest(error.message)
        }
    }

    private static func parse(_ query: String, field: String?) throws -> Selector {
        do {
            return try Selector.cached(query)
        } catch {
            throw RunRequestError.invalidSelector(field: field, error)
        }
    }
}

/// The body of `POST .../search-spans`: a selector, or text to find in span names and attributes.
package struct SpanSearch: Decodable, Sendable {
    package var query: String

    enum CodingKeys: String, CodingKey, CaseIterable { case query }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        query = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .query) ?? ""
    }

    func matches(in trace: Trace) -> [SpanID] {
        if let selector = try? Selector.cached(query) {
            return selector.select(in: TraceIndex(trace)).map { trace.spans[$0].id }
        }
        let needle = query.lowercased()
        return trace.spans.filter { span in
            span.name.lowercased().contains(needle)
                || span.attributes.contains {
                    $0.key.lowercased().contains(needle) || $0.value.lowercased().contains(needle)
                }
        }.map(\.id)
    }
}

/// The body of `PUT .../dry-run`: the specs to evaluate (the UI sends each selector under `selectorParsed.query`).
package struct DryRun: Decodable, Sendable {
    package var specs: [TestSpec]

    enum CodingKeys: String, CodingKey, CaseIterable { case specs }
    enum SpecKeys: String, CodingKey { case selectorParsed }
    enum ParsedKeys: String, CodingKey { case query }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var specs: [TestSpec] = []
        if var list = try? container.nestedUnkeyedContainer(forKey: .specs) {
            while !list.isAtEnd {
                let spec = try list.superDecoder()
                var decoded = try TestSpec(from: spec)
                if let parsed = try? spec.container(keyedBy: SpecKeys.self).nestedContainer(
                    keyedBy: ParsedKeys.self, forKey: .selectorParsed),
                    let query = try parsed.decodeIfPresent(String.self, forKey: .query)
                {
                    decoded.selector = query
                }
                specs.append(decoded)
            }
        }
        self.specs = specs
    }
}

/// The body of `POST /api/expressions/resolve`; unknown fields are refused, as on every OpenAPI route.
package struct ResolveRequest: Decodable, Sendable {
    package var expression: String
    package var context: ResolveContext

    enum CodingKeys: String, CodingKey, CaseIterable { case expression, context }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        expression = try container.decodeIfPresent(String.self, forKey: .expression) ?? ""
        context = try container.decodeIfPresent(ResolveContext.self, forKey: .context) ?? ResolveContext()
    }
}

/// Where an expression is resolved: a run's trace (all spans the selector picks, or one span), a variable set.
package struct ResolveContext: Decodable, Sendable {
    package var testID = ""
    /// Sent as a string by Tracetest's clients; a number is accepted too.
    package var runID: Int?
    package var spanID = ""
    package var selector = ""
    package var variableSetID = ""

    enum CodingKeys: String, CodingKey, CaseIterable {
        case testId, runId, spanId, selector, variableSetId
        /// The variable set's legacy name.
        case environmentId
    }

    package init() {}

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        testID = try container.decodeIfPresent(String.self, forKey: .testId) ?? ""
        spanID = try container.decodeIfPresent(String.self, forKey: .spanId) ?? ""
        selector = try container.decodeIfPresent(String.self, forKey: .selector) ?? ""
        variableSetID =
            try container.decodeIfPresent(String.self, forKey: .variableSetId)
            ?? container.decodeIfPresent(String.self, forKey: .environmentId) ?? ""
        if let number = try? container.decodeIfPresent(Int.self, forKey: .runId) {
            runID = number
        } else if let text = try container.decodeIfPresent(String.self, forKey: .runId), !text.isEmpty {
            guard let number = Int32(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .runId, in: container, debugDescription: "runId must be a whole number, got \"\(text)\"")
            }
            runID = Int(number)
        }
    }
}
