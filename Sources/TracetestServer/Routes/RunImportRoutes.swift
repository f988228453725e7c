import Hummingbird
import TracetestEngine
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// `POST /api/tests/import` (a test and one of its runs, as `GET .../export` wrote them, created anew) and
/// `PATCH /api/tests/{testId}/run/{runId}` (the legacy agent hook that reports a trigger result, a state and
/// spans for a run) (api-resources.md §3.1).
struct RunImportRoutes {
    let store: Store
    let updates: RunUpdates

    func register(on api: RouterGroup<BasicRequestContext>) {
        // `tests/import` as a path of its own would hide the resource routes of a test whose id is "import" (the
        // router does not fall back to the `:testId` routes for other methods), so the import is this POST.
        api.post("tests/:testId") { request, context in
            guard context.parameters.get("testId") == "import" else { throw HTTPError(.notFound) }
            return await openAPI { try await importRun(request) }
        }
        api.patch("tests/:testId/run/:runId") { request, context in
            await openAPI { try await updateRun(request, context) }
        }
    }

    // MARK: Import

    private func importRun(_ request: Request) async throws -> Response {
        let body = try await request.decodeBody(ExportedRun.self, format: .json)
        guard var test = body.test else {
            throw APIError.badRequest("test is required: send {\"test\", \"run\"} as GET .../export answers it")
        }
        guard let imported = body.run else {
            throw APIError.badRequest("run is required: send {\"test\", \"run\"} as GET .../export answers it")
        }
        guard imported.state.isTerminal else {
            throw APIError.badRequest(
                "run.state \(imported.state.rawValue) is not a final state: only runs that ended can be imported "
                    + "(export the run once it is FINISHED or failed)")
        }
        if test.id.isEmpty { test.id = ShortID.make() }
        test = test.withoutReadOnlyFields
        do {
            try test.validate()
            try TestSelectors.check(test)
        } catch {
            throw APIError.badRequest("test: \(error.message)")
        }
        let spans = try body.trace.map { try WireTrace.spans($0, field: "run.trace") } ?? []
        let trace = spans.isEmpty ? nil : Trace(traceID: imported.traceID, spans: spans)

        let created: Test
        do {
            created = try await store.tests.create(test)
        } catch let error as RepositoryError {
            throw APIError(.unprocessableContent, "\(error)")
        }
        var run = imported
        run.id = 0
        run.testID = created.id
        run.testVersion = created.version ?? 1
        run.testSuiteID = ""
        run.testSuiteRunID = 0
        run.trace = nil
        run.resolvedTrigger = body.resolvedTrigger
        run.skipTraceCollection = created.skipTraceCollection
        if run.createdAt.isZero { run.createdAt = .now() }
        if run.traceID == TraceID(high: 0, low: 0) { run.traceID = trace?.traceID ?? .random() }
        // The JUnit report of a finished run: its specs evaluated again on its trace, with its variables.
        if run.state == .finished, let trace {
            let details = SpecEvaluation.evaluate(
                created.specs, on: TraceIndex(trace), variables: run.variableSet.lookup
            )
            .details
            run.junitReport = JUnitReport.xml(testName: created.name, results: details, seconds: run.executionTime())
        }
        run = try await store.runs.create(run)
        if let trace { try await store.runs.saveTrace(trace.spans, of: run) }
        run.trace = trace.map { .raw(TraceDocument.json($0)) }
        return OpenAPIResponse.json(
            .object(["test": OpenAPIForm.test(created), "run": try WireEncoder().encode(run)]))
    }

    // MARK: Legacy update

    private func updateRun(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let testID = try context.parameters.require("testId")
        let runText = try context.parameters.require("runId")
        guard let runNumber = Int32(runText) else {
            throw APIError.badRequest("runId must be a whole number, got \"\(runText)\"")
        }
        let runID = Int(runNumber)
        guard var run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        let patch = try await request.decodeBody(RunPatch.self, format: .json)
        if let triggerResult = patch.triggerResult { run.triggerResult = triggerResult }
        if let state = patch.state, state != run.state {
            guard run.state.canMove(to: state) else {
                throw APIError(
                    .unprocessableContent,
                    "run \(runID) of test \(testID) cannot move from \(run.state.rawValue) to \(state.rawValue)")
            }
            run.state = state
            if state.isTerminal { run.completedAt = .now() }
        }
        if let lastErrorState = patch.lastErrorState { run.lastErrorState = lastErrorState }
        var spans = try await store.runs.trace(testID: testID, runID: runID)
        if let wire = patch.trace {
            let added = try WireTrace.spans(wire, field: "trace")
            if !added.isEmpty {
                // New spans join the stored ones; a span sent again replaces the stored one.
                let replaced = Set(added.map(\.id))
                let merged = (spans ?? []).filter { !replaced.contains($0.id) } + added
                spans = Trace(traceID: run.traceID, spans: merged).spans
                try await store.runs.saveTrace(spans ?? [], of: run)
            }
        }
        guard try await store.runs.update(run) else { throw RunRequestError.runNotFound(testID: testID, runID: runID) }
        await updates.publish(try WireEncoder().encode(run), on: RunUpdates.runTopic(testID: testID, runID: runID))
        run.trace = spans.flatMap {
            $0.isEmpty ? nil : .raw(TraceDocument.json(Trace(traceID: run.traceID, assembled: $0)))
        }
        return try OpenAPIResponse.json(run)
    }
}

/// The body of `POST /api/tests/import`: the test (OpenAPI form, selectors read from `selectorParsed.query` when
/// present) and the run with its trace and resolved trigger.
struct ExportedRun: Decodable {
    var test: Test?
    var run: TestRun?
    var trace: WireValue?
    var resolvedTrigger: Trigger?

    enum CodingKeys: String, CodingKey, CaseIterable { case test, run }
    enum RunKeys: String, CodingKey { case trace, resolvedTrigger }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.test), try !container.decodeNil(forKey: .test) {
            // Read-only fields (an augmented test's `summary`) are dropped before reading the test.
            guard case .object(var fields) = try container.decode(WireValue.self, forKey: .test) else {
                throw DecodingError.typeMismatch(
                    [String: WireValue].self,
                    .init(codingPath: [CodingKeys.test], debugDescription: "the test must be an object"))
            }
            fields["summary"] = nil
            var test: Test
            do {
                test = try WireDecoding.decode(Test.self, from: WireValue.object(fields).jsonText)
            } catch {
                var error = error
                error.path = error.path.isEmpty ? "test" : "test." + error.path
                throw error
            }
            let parsed = try container.decode(ParsedSelectors.self, forKey: .test)
            if parsed.specs.count == test.specs.count {
                for (index, query) in parsed.specs.enumerated() { if let query { test.specs[index].selector = query } }
            }
            if parsed.outputs.count == test.outputs.count {
                for (index, query) in parsed.outputs.enumerated() {
                    if let query { test.outputs[index].selector = query }
                }
            }
            self.test = test
        }
        if container.contains(.run), try !container.decodeNil(forKey: .run) {
            run = try container.decode(TestRun.self, forKey: .run)
            let extra = try container.nestedContainer(keyedBy: RunKeys.self, forKey: .run)
            trace = try extra.decodeIfPresent(WireValue.self, forKey: .trace)
            resolvedTrigger = try extra.decodeIfPresent(Trigger.self, forKey: .resolvedTrigger)
        }
    }
}

/// `selectorParsed.query` of each spec and output of an OpenAPI-form test (nil where absent).
private struct ParsedSelectors: Decodable {
    var specs: [String?] = []
    var outputs: [String?] = []

    enum CodingKeys: String, CodingKey { case specs, outputs }

    private struct Item: Decodable {
        var query: String?

        enum CodingKeys: String, CodingKey { case selectorParsed }
        enum ParsedKeys: String, CodingKey { case query }

        init(from decoder: any Decoder) throws {
            guard let container = try? decoder.container(keyedBy: CodingKeys.self),
                let parsed = try? container.nestedContainer(keyedBy: ParsedKeys.self, forKey: .selectorParsed)
            else { return }
            query = try parsed.decodeIfPresent(String.self, forKey: .query)
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Only the list forms carry `selectorParsed`; the map forms of the first file format do not.
        specs = ((try? container.decodeIfPresent([Item].self, forKey: .specs)) ?? nil)?.map(\.query) ?? []
        outputs = ((try? container.decodeIfPresent([Item].self, forKey: .outputs)) ?? nil)?.map(\.query) ?? []
    }
}

/// What the legacy run update changes: the trigger result, the state, the error, spans of the trace. Other fields
/// of the TestRun it is sent as are ignored.
struct RunPatch: Decodable {
    var triggerResult: TriggerResult?
    var state: RunState?
    var lastErrorState: String?
    var trace: WireValue?

    enum CodingKeys: String, CodingKey { case triggerResult, state, lastErrorState, trace }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        triggerResult = try container.decodeIfPresent(TriggerResult.self, forKey: .triggerResult)
        if let text = try container.decodeIfPresent(String.self, forKey: .state), !text.isEmpty {
            guard let state = RunState(rawValue: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .state, in: container,
                    debugDescription:
                        "unknown run state \"\(text)\" (use one of: "
                        + RunState.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            self.state = state
        }
        lastErrorState = try container.decodeIfPresent(String.self, forKey: .lastErrorState)
        trace = try container.decodeIfPresent(WireValue.self, forKey: .trace)
    }
}
