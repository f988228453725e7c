import TracetestConcurrency
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// `POST /api/tests/import` (a test and one of its runs, as ``RunEngine/export(testID:runID:)`` wrote them, created
/// anew) and `PATCH /api/tests/{testId}/run/{runId}` (the legacy agent hook that reports a trigger result, a state
/// and spans for a run) (api-resources.md §3.1).
extension RunEngine {
    /// Creates the test (its id must be free) and the run with its trace; answers `{"test", "run"}`.
    package func importRun(_ body: ExportedRun) async throws -> WireValue {
        guard var test = body.test else {
            throw RunRequestError.invalidRequest(
                "test is required: send {\"test\", \"run\"} as GET .../export answers it")
        }
        guard let imported = body.run else {
            throw RunRequestError.invalidRequest(
                "run is required: send {\"test\", \"run\"} as GET .../export answers it")
        }
        guard imported.state.isTerminal else {
            throw RunRequestError.invalidRequest(
                "run.state \(imported.state.rawValue) is not a final state: only runs that ended can be imported "
                    + "(export the run once it is FINISHED or failed)")
        }
        if test.id.isEmpty { test.id = ShortID.make() }
        test = test.withoutReadOnlyFields
        do {
            try test.validate()
            try TestSelectors.check(test)
        } catch {
            throw RunRequestError.invalidRequest("test: \(error.message)")
        }
        let spans = try body.trace.map { try TraceDocument.spans($0, field: "run.trace") } ?? []
        let created = try await store.tests.create(test)
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
        if run.traceID == TraceID(high: 0, low: 0) { run.traceID = .random() }
        let (traceID, finished) = (run.traceID, run)
        let trace: Trace? = spans.isEmpty ? nil : await ComputePool.shared.run { Trace(traceID: traceID, spans: spans) }
        // The JUnit report of a finished run: its specs evaluated again on its trace, with its variables.
        if run.state == .finished, let trace {
            run.junitReport = await ComputePool.shared.run {
                let results = SpecEvaluation.evaluate(
                    created.specs, on: TraceIndex(trace), variables: finished.variableSet.lookup
                ).results
                return JUnitReport.xml(
                    .init(testName: created.name, specNames: created.specs.map(\.name), results: results),
                    seconds: finished.executionTime())
            }
        }
        run = try await recorder.create(run, announced: false)
        if let trace { try await recorder.saveTrace(trace, of: run) }
        return .object(["test": OpenAPIForm.test(created), "run": try await document(of: run.listed)])
    }

    /// Applies the legacy run update: the trigger result, a state the run may move to, the error, spans that join
    /// (or replace) the stored trace. Returns the run in wire form with its trace.
    package func patchRun(testID: String, runID: Int, _ patch: RunPatch) async throws -> WireValue {
        guard var run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        // The engine is the run's writer while it executes it; a run whose end is stored is only being wound up.
        let key = RunKey(testID: testID, runID: runID)
        if run.state.isTerminal, await isBusy(key) { _ = await completion(of: key) }
        guard await !isBusy(key) else {
            throw RunRequestError.notApplicable(
                "run \(runID) of test \(testID) is executing: stop it first (POST .../stop), or send the update once "
                    + "it has ended")
        }
        if let triggerResult = patch.triggerResult { run.triggerResult = triggerResult }
        if let state = patch.state, state != run.state {
            guard run.state.canMove(to: state) else {
                throw RunRequestError.notApplicable(
                    "run \(runID) of test \(testID) cannot move from \(run.state.rawValue) to \(state.rawValue)")
            }
            run.state = state
            if state.isTerminal { run.completedAt = .now() }
        }
        if let lastErrorState = patch.lastErrorState { run.lastErrorState = lastErrorState }
        if let wire = patch.trace {
            let added = try TraceDocument.spans(wire, field: "trace")
            if !added.isEmpty {
                // New spans join the stored ones; a span sent again replaces the stored one.
                let stored = try await store.runs.trace(testID: testID, runID: runID) ?? []
                let replaced = Set(added.map(\.id))
                let merged = stored.filter { !replaced.contains($0.id) } + added
                let traceID = run.traceID
                try await recorder.saveTrace(
                    await ComputePool.shared.run { Trace(traceID: traceID, spans: merged) }, of: run)
            }
        }
        guard try await recorder.save(run) else { throw RunRequestError.runNotFound(testID: testID, runID: runID) }
        return try await document(of: run)
    }
}

/// The body of `POST /api/tests/import`: the test (OpenAPI form, selectors read from `selectorParsed.query` when
/// present) and the run with its trace and resolved trigger.
package struct ExportedRun: Decodable, Sendable {
    package var test: Test?
    package var run: TestRun?
    package var trace: WireValue?
    package var resolvedTrigger: Trigger?

    enum CodingKeys: String, CodingKey, CaseIterable { case test, run }
    enum RunKeys: String, CodingKey { case trace, resolvedTrigger }

    package init(from decoder: any Decoder) throws {
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
package struct RunPatch: Decodable, Sendable {
    package var triggerResult: TriggerResult?
    package var state: RunState?
    package var lastErrorState: String?
    package var trace: WireValue?

    enum CodingKeys: String, CodingKey { case triggerResult, state, lastErrorState, trace }

    package init(from decoder: any Decoder) throws {
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
