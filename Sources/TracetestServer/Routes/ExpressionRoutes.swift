import Hummingbird
import TracetestEngine
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// `POST /api/expressions/resolve` (api-resources.md §3.3): an expression or assertion resolved to text, on the
/// spans of a run's trace when the context names a run, with the values of a variable set when it names one.
struct ExpressionRoutes {
    let store: Store

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("expressions/resolve") { request, _ in
            await openAPI {
                let body = try await request.decodeBody(ResolveRequest.self, format: .json)
                let values = try await resolve(body)
                return OpenAPIResponse.json(.object(["resolvedValues": .array(values.map(WireValue.string))]))
            }
        }
    }

    private func resolve(_ body: ResolveRequest) async throws -> [String] {
        guard !body.expression.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badRequest("expression is empty: send the expression to resolve in \"expression\"")
        }
        let context = body.context
        // Without a variable set there is no variable store: unknown variables read as "" (as upstream).
        var variables: [String: String]?
        if !context.variableSetID.isEmpty {
            guard let set = try await store.variableSets.get(context.variableSetID) else {
                throw APIError.badRequest(
                    "context.variableSetId: variable set \"\(context.variableSetID)\" not found")
            }
            variables = RunVariableSet(values: set.values).lookup
        }
        guard !context.testID.isEmpty, let runID = context.runID else {
            return [try evaluate(body.expression, EvaluationContext(variables: variables))]
        }
        let trace = try await store.runWithTrace(testID: context.testID, runID: runID).trace
        let index = TraceIndex(trace)
        let selected: [Int]
        do {
            selected = try Selector.cached(context.selector).select(in: index)
        } catch {
            throw APIError.badRequest("context.selector: \(error)\n\(error.excerpt)")
        }
        if !context.spanID.isEmpty {
            guard let spanID = SpanID(hex: context.spanID) else {
                throw APIError.badRequest(
                    "context.spanId: \"\(context.spanID)\" is not a span id (16 hexadecimal digits)")
            }
            guard let position = trace.index(of: spanID) else {
                throw APIError.badRequest(
                    "context.spanId: span \(context.spanID) is not in the trace of run \(runID) of test "
                        + "\(context.testID)")
            }
            let evaluation = EvaluationContext(
                attributes: .span(trace.spans[position].attributes), selectedSpanCount: selected.count,
                variables: variables)
            return [try evaluate(body.expression, evaluation)]
        }
        return try selected.map { position in
            try evaluate(
                body.expression,
                EvaluationContext(
                    attributes: .span(trace.spans[position].attributes), selectedSpanCount: selected.count,
                    variables: variables))
        }
    }

    private func evaluate(_ expression: String, _ context: EvaluationContext) throws -> String {
        do {
            return try StatementResolution.resolve(expression, in: context)
        } catch {
            throw APIError.badRequest(error.message)
        }
    }

}

/// The body of `POST /api/expressions/resolve`; unknown fields are refused, as on every OpenAPI route.
struct ResolveRequest: Decodable {
    var expression: String
    var context: ResolveContext

    enum CodingKeys: String, CodingKey, CaseIterable { case expression, context }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        expression = try container.decodeIfPresent(String.self, forKey: .expression) ?? ""
        context = try container.decodeIfPresent(ResolveContext.self, forKey: .context) ?? ResolveContext()
    }
}

/// Where an expression is resolved: a run's trace (all spans the selector picks, or one span), a variable set.
struct ResolveContext: Decodable {
    var testID = ""
    /// Sent as a string by Tracetest's clients; a number is accepted too.
    var runID: Int?
    var spanID = ""
    var selector = ""
    var variableSetID = ""

    enum CodingKeys: String, CodingKey, CaseIterable {
        case testId, runId, spanId, selector, variableSetId
        /// The variable set's legacy name.
        case environmentId
    }

    init() {}

    init(from decoder: any Decoder) throws {
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
