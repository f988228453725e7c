import TracetestLanguage
import TracetestModel
import TracetestStorage

extension RunEngine {
    /// Creates a run of the suite's latest version and starts it: each step is a run of its test, in order, with the
    /// suite's variables and the outputs of the steps before it; a step that ends in a failure state fails the suite.
    package func runSuite(_ suiteID: String, _ information: RunInformation) async throws -> TestSuiteRun {
        guard let suite = try await store.testSuites.get(suiteID) else {
            throw RunRequestError.testSuiteNotFound(suiteID)
        }
        let variables = try await variableSet(for: information)
        let gates = try await gates(information.requiredGates)
        var available = Set(variables.lookup.keys)
        var missing: [MissingVariablesError.Entry] = []
        for testID in suite.steps {
            guard let test = try await store.tests.get(testID) else { continue }
            let names = MissingVariables.detect(in: test, available: available)
            if !names.isEmpty { missing.append(.init(testID: testID, variables: names.map { .init(key: $0) })) }
            available.formUnion(test.outputs.map(\.name))
        }
        if !missing.isEmpty { throw RunRequestError.missingVariables(MissingVariablesError(missingVariables: missing)) }
        let suiteRun = try await store.suiteRuns.create(
            TestSuiteRun(
                id: 0, testSuiteID: suiteID, version: suite.version ?? 1, variableSet: variables,
                metadata: information.metadata, requiredGates: gates))
        trackSuite(Task { await self.execute(suiteRun, steps: suite.steps) })
        return suiteRun
    }

    /// A suite run with its step runs filled in.
    package func suiteRun(testSuiteID: String, runID: Int) async throws -> TestSuiteRun? {
        guard var suiteRun = try await store.suiteRuns.get(testSuiteID: testSuiteID, runID: runID) else { return nil }
        try await fillSteps(&suiteRun)
        return suiteRun
    }

    func fillSteps(_ suiteRun: inout TestSuiteRun) async throws {
        var steps: [TestRun] = []
        for step in suiteRun.stepRunIDs {
            if let run = try await store.runs.get(testID: step.testID, runID: step.runID) { steps.append(run) }
        }
        suiteRun.steps = steps
    }

    private func execute(_ initial: TestSuiteRun, steps: [String]) async {
        var suiteRun = initial
        do {
            try await save(&suiteRun) { $0.state = "EXECUTING" }
            for (number, testID) in steps.enumerated() {
                var metadata = suiteRun.metadata
                metadata["step"] = String(number + 1)
                metadata["testsuite_run_id"] = String(suiteRun.id)
                metadata["testsuite_id"] = suiteRun.testSuiteID
                metadata["testsuite_version"] = String(suiteRun.version)
                let information = RunInformation(
                    variables: suiteRun.variableSet.values ?? [], metadata: metadata,
                    requiredGates: suiteRun.requiredGates)
                let stepRun: TestRun
                do {
                    stepRun = try await runTest(testID, information, suite: (suiteRun.testSuiteID, suiteRun.id))
                } catch {
                    try await save(&suiteRun) {
                        $0.state = "FAILED"
                        $0.lastError = "step \(number + 1) (test \(testID)) could not start: \(error)"
                        $0.completedAt = .now()
                    }
                    return
                }
                try await save(&suiteRun) { $0.stepRunIDs.append(.init(testID: testID, runID: stepRun.id)) }
                guard let final = await completion(testID: testID, runID: stepRun.id) else {
                    throw CancellationError()
                }
                if final.state.isFailure || !final.lastErrorState.isEmpty {
                    let reason = final.lastErrorState.isEmpty ? final.state.rawValue : final.lastErrorState
                    try await save(&suiteRun) {
                        $0.state = "FAILED"
                        $0.lastError = "step \(number + 1) (test \(testID)) ended in \(final.state.rawValue): \(reason)"
                        $0.completedAt = .now()
                    }
                    return
                }
                try await save(&suiteRun) {
                    $0.variableSet.merge(
                        final.outputs.filter { $0.error == nil }.map { KeyValue(key: $0.name, value: $0.value) })
                }
            }
            try await save(&suiteRun) {
                $0.state = "FINISHED"
                $0.completedAt = .now()
            }
        } catch {
            if !Task.isCancelled { logger.error("suite run \(suiteRun.testSuiteID)/\(suiteRun.id) failed: \(error)") }
        }
    }

    private func save(_ suiteRun: inout TestSuiteRun, _ change: (inout TestSuiteRun) -> Void) async throws {
        change(&suiteRun)
        try await store.suiteRuns.update(suiteRun)
        var published = suiteRun
        try await fillSteps(&published)
        await updates.publish(
            try WireEncoder().encode(published),
            on: RunUpdates.suiteRunTopic(suiteID: suiteRun.testSuiteID, runID: suiteRun.id))
    }
}
