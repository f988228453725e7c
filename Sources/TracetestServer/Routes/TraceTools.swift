import TracetestEngine
import TracetestLanguage
import TracetestModel
import TracetestStorage

extension Store {
    /// The run and its final trace (nil while it has none); 404 when there is no such run.
    func runAndTrace(testID: String, runID: Int) async throws -> (run: TestRun, trace: Trace?) {
        guard let run = try await runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        let spans = try await runs.trace(testID: testID, runID: runID)
        return (run, spans.map { Trace(traceID: run.traceID, assembled: $0) })
    }

    /// The run and its trace; 404 when there is no such run, 422 while it has no trace.
    func runWithTrace(testID: String, runID: Int) async throws -> (run: TestRun, trace: Trace) {
        let found = try await runAndTrace(testID: testID, runID: runID)
        guard let trace = found.trace, !trace.spans.isEmpty else {
            throw APIError(.unprocessableContent, "run \"\(runID)\" has no trace associated")
        }
        return (found.run, trace)
    }
}

/// `POST .../search-spans`: a selector when the query is one, otherwise a case-insensitive search of each span's
/// name and attributes.
struct SpanSearch: Decodable {
    var query: String

    enum CodingKeys: String, CodingKey, CaseIterable { case query }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        query = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .query) ?? ""
    }

    static func search(_ query: String, in trace: Trace) -> [SpanID] {
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

/// `PUT .../dry-run`: specs evaluated on a run's stored trace with its variables; nothing is saved.
struct DryRun: Decodable {
    var specs: [TestSpec]

    enum CodingKeys: String, CodingKey, CaseIterable { case specs }
    enum SpecKeys: String, CodingKey { case selectorParsed }
    enum ParsedKeys: String, CodingKey { case query }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var specs: [TestSpec] = []
        if var list = try? container.nestedUnkeyedContainer(forKey: .specs) {
            while !list.isAtEnd {
                let spec = try list.superDecoder()
                var decoded = try TestSpec(from: spec)
                // The UI sends the selector under `selectorParsed.query`.
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

    static func evaluate(_ specs: [TestSpec], on trace: Trace, variables: [String: String]) -> AssertionResults {
        SpecEvaluation.evaluate(specs, on: TraceIndex(trace), variables: variables).results
    }
}
