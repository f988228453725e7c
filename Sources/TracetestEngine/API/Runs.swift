import TracetestConcurrency
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// Test runs (api-resources.md §3.1): start, rerun, read, list, delete, events, JUnit, export.
extension RunEngine {
    /// Creates a run of the test's latest version and starts it; the run comes back in state `CREATED`.
    package func runTest(
        _ testID: String, _ information: RunInformation, suite: (id: String, runID: Int)? = nil
    ) async throws -> TestRun {
        guard let test = try await store.tests.get(testID) else { throw RunRequestError.testNotFound(testID) }
        let requiredGates = try await gates(information.requiredGates)
        let variables = try await variableSet(for: information)
        let missing = MissingVariables.detect(in: test, available: Set(variables.lookup.keys))
        if !missing.isEmpty {
            let previous = try await store.runs.latest(testID: testID, version: test.version ?? 1)?.variableSet.lookup
            throw RunRequestError.missingVariables(
                MissingVariablesError(missingVariables: [
                    .init(testID: testID, variables: missing.map { .init(key: $0, defaultValue: previous?[$0]) })
                ]))
        }
        var run = TestRun(
            id: 0, testID: testID, testVersion: test.version ?? 1, variableSet: variables,
            metadata: information.metadata, requiredGates: requiredGates,
            skipTraceCollection: test.skipTraceCollection)
        // X-Ray takes only ids that start with the time they were made.
        if try await store.dataStores.get().type == "awsxray" {
            run.traceID = .xray(epochSeconds: UInt32(clamping: Timestamp.now().microsecondsSinceEpoch / 1_000_000))
        }
        if let suite {
            run.testSuiteID = suite.id
            run.testSuiteRunID = suite.runID
        }
        run = try await recorder.create(run, leasedTo: newLease())
        submit(run)
        return run
    }

    /// A new run with the trace, trigger result, analysis and variables of `runID`, re-evaluating outputs and specs
    /// only: it starts `AWAITING_TEST_RESULTS`, so after a restart too it only evaluates again.
    package func rerun(testID: String, runID: Int) async throws -> TestRun {
        guard let test = try await store.tests.get(testID) else { throw RunRequestError.testNotFound(testID) }
        guard let previous = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        var run = TestRun(
            id: 0, testID: testID, testVersion: test.version ?? 1, traceID: previous.traceID, spanID: previous.spanID,
            variableSet: previous.variableSet, metadata: previous.metadata,
            requiredGates: previous.requiredGatesResult.required, skipTraceCollection: previous.skipTraceCollection)
        run.state = .awaitingTestResults
        run.resolvedTrigger = previous.resolvedTrigger
        run.triggerResult = previous.triggerResult
        run.serviceTriggeredAt = previous.serviceTriggeredAt
        run.serviceTriggerCompletedAt = previous.serviceTriggerCompletedAt
        // The row holds the linter's summary; the whole result is among the details.
        let details = try await store.runs.details(testID: testID, runID: runID, parts: .linter)
        run.linter = details?.linter.map(WireValue.raw) ?? previous.linter
        run.linterSummary = previous.linter
        run = try await recorder.create(run, leasedTo: newLease())
        do {
            try await recorder.copyTrace(from: runID, to: run)
        } catch {
            try? await recorder.end(&run, .assertionFailed, reason: "the trace of run \(runID) could not be copied")
            try? await store.runLeases.release(testID: testID, runID: run.id, owner: leaseOwner)
            throw error
        }
        submit(run)
        return run
    }

    /// The run in wire form with its results, analysis and trace (`{"tree":{}}` while it has none, or when
    /// `includingTrace` is false).
    package func run(testID: String, runID: Int, includingTrace: Bool = true) async throws -> WireValue {
        guard let run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        return try await document(of: run, includingTrace: includingTrace)
    }

    /// The run's trace in outline, for the web UI's timeline: see ``TraceDocument/outline(_:)``.
    package func traceOutline(testID: String, runID: Int) async throws -> String {
        let trace = try await runWithTrace(testID: testID, runID: runID).trace
        return await ComputePool.shared.run { TraceDocument.outline(trace) }
    }

    /// One span of the run's trace in the shape of the trace's `flat` entries.
    package func traceSpan(testID: String, runID: Int, spanID: String) async throws -> String {
        let trace = try await runWithTrace(testID: testID, runID: runID).trace
        guard let wanted = SpanID(hex: spanID), let index = trace.spans.firstIndex(where: { $0.id == wanted }) else {
            throw RunRequestError.spanNotFound(runID: runID, spanID: spanID)
        }
        return TraceDocument.span(at: index, of: trace)
    }

    /// The run's wire form: the stored row's fields and its details (results, analysis, trace), written in as the
    /// text they are stored as (a big run's results and trace are never parsed and encoded again).
    func document(of run: TestRun, includingTrace: Bool = true) async throws -> WireValue {
        guard case .object(var fields) = try WireEncoder().encode(run) else { return .null }
        let details = try await store.runs.details(
            testID: run.testID, runID: run.id, parts: includingTrace ? [.result, .linter, .trace] : [.result, .linter])
        if let result = details?.result { fields["result"] = .raw(result) }
        if let linter = details?.linter { fields["linter"] = .raw(linter) }
        if !includingTrace {
            return .object(fields)
        } else if let trace = details?.trace {
            fields["trace"] = .raw(trace)
        } else if let spans = try await store.runs.trace(testID: run.testID, runID: run.id) {
            // A run stored before traces were kept in wire form.
            let traceID = run.traceID
            let trace = await ComputePool.shared.run { Trace(traceID: traceID, assembled: spans) }
            fields["trace"] = .raw(await TraceDocument.json(trace))
        }
        return .object(fields)
    }

    /// The test's runs, newest first, without their traces, and how many there are.
    package func runs(testID: String, take: Int, skip: Int) async throws -> Page<TestRun> {
        guard try await store.tests.get(testID) != nil else { throw RunRequestError.testNotFound(testID) }
        return try await store.runs.list(testID: testID, take: take, skip: skip)
    }

    /// Removes the run; one that has not ended is stopped first, so nothing writes to it afterwards.
    package func deleteRun(testID: String, runID: Int) async throws {
        if let run = try await store.runs.get(testID: testID, runID: runID), !run.state.isTerminal {
            stop(testID: testID, runID: runID)
            _ = await completion(of: RunKey(testID: testID, runID: runID))
        }
        guard try await recorder.delete(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
    }

    /// The run's events in the order they happened (none for a run that does not exist, as upstream).
    package func events(testID: String, runID: Int) async throws -> [RunEvent] {
        try await store.runs.events(testID: testID, runID: runID)
    }

    /// The JUnit report of the run's results.
    package func junitReport(testID: String, runID: Int) async throws -> String {
        guard let run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        // A run stored before details were kept apart has its report in its row.
        guard
            let report = try await store.runs.details(testID: testID, runID: runID, parts: .junit)?.junit
                ?? run.junitReport
        else {
            guard run.state.isFailure, let test = try await store.tests.get(testID, version: run.testVersion) else {
                throw RunRequestError.noResults(runID: runID, state: run.state)
            }
            let failed = JUnitReport.TestResults(
                testName: test.name, specNames: [], results: nil,
                failure: (run.state.rawValue, run.failureReason))
            return JUnitReport.xml(failed, seconds: run.executionTime())
        }
        return report
    }

    /// `{"test", "run"}`: the test at the run's version (OpenAPI form) and the run with its trace, as
    /// ``importRun(_:)`` reads them back.
    package func export(testID: String, runID: Int) async throws -> WireValue {
        guard let run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        guard let test = try await store.tests.get(testID, version: run.testVersion) else {
            throw RunRequestError.testNotFound(testID)
        }
        return .object(["test": OpenAPIForm.test(test), "run": try await document(of: run)])
    }

    // MARK: Reading runs and traces

    /// The run and its final trace (nil while it has none).
    func runAndTrace(testID: String, runID: Int) async throws -> (run: TestRun, trace: Trace?) {
        async let spans = store.runs.trace(testID: testID, runID: runID)
        guard let run = try await store.runs.get(testID: testID, runID: runID) else {
            throw RunRequestError.runNotFound(testID: testID, runID: runID)
        }
        guard let spans = try await spans else { return (run, nil) }
        let traceID = run.traceID
        return (run, await ComputePool.shared.run { Trace(traceID: traceID, assembled: spans) })
    }

    /// The run and its trace; refused while it has none.
    func runWithTrace(testID: String, runID: Int) async throws -> (run: TestRun, trace: Trace) {
        let found = try await runAndTrace(testID: testID, runID: runID)
        guard let trace = found.trace, !trace.spans.isEmpty else { throw RunRequestError.noTrace(runID: runID) }
        return (found.run, trace)
    }

    // MARK: Variables and gates

    /// The run's variables: the variable set's values in order, then the inline values (added or replacing).
    func variableSet(for information: RunInformation) async throws -> RunVariableSet {
        var variables = RunVariableSet()
        if !information.variableSetID.isEmpty {
            guard let set = try await store.variableSets.get(information.variableSetID) else {
                throw RunRequestError.variableSetNotFound(information.variableSetID)
            }
            variables = RunVariableSet(id: set.id, name: set.name, description: set.description, values: set.values)
        }
        variables.merge(information.variables)
        return variables
    }

    /// The request's gates, or the TestRunner's when the request names none.
    func gates(_ requested: [String]?) async throws -> [String] {
        if let unknown = requested?.first(where: { !TestRunner.gates.contains($0) }) {
            throw RunRequestError.unknownGate(unknown)
        }
        if let requested { return requested }
        return try await store.testRunners.get().requiredGates
    }
}
