import TracetestLanguage
import TracetestModel
import TracetestStorage

extension RunEngine {
    /// Creates a run of the suite's latest version and starts it: each step is a run of its test, in order, with the
    /// suite's variables and the outputs of the steps before it; a step that fails or is stopped fails the suite.
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
        let suiteRun = try await recorder.create(
            TestSuiteRun(
                id: 0, testSuiteID: suiteID, version: suite.version ?? 1, variableSet: variables,
                metadata: information.metadata, requiredGates: gates))
        submit(suiteRun, steps: suite.steps)
        return suiteRun
    }

    /// A suite run with its step runs filled in.
    package func suiteRun(testSuiteID: String, runID: Int) async throws -> TestSuiteRun {
        guard var suiteRun = try await store.suiteRuns.get(testSuiteID: testSuiteID, runID: runID) else {
            throw RunRequestError.suiteRunNotFound(testSuiteID: testSuiteID, runID: runID)
        }
        suiteRun.steps = try await recorder.steps(of: suiteRun)
        return suiteRun
    }

    /// The suite's runs, newest first, with their step runs, and how many there are.
    package func suiteRuns(testSuiteID: String, take: Int, skip: Int) async throws -> Page<TestSuiteRun> {
        guard try await store.testSuites.get(testSuiteID) != nil else {
            throw RunRequestError.testSuiteNotFound(testSuiteID)
        }
        var page = try await store.suiteRuns.list(testSuiteID: testSuiteID, take: take, skip: skip)
        for index in page.items.indices { page.items[index].steps = try await recorder.steps(of: page.items[index]) }
        return page
    }

    package func deleteSuiteRun(testSuiteID: String, runID: Int) async throws {
        guard try await recorder.delete(testSuiteID: testSuiteID, runID: runID) else {
            throw RunRequestError.suiteRunNotFound(testSuiteID: testSuiteID, runID: runID)
        }
    }

    /// The suite run's steps, one after the other (a child task of the engine), under a lease that says this server
    /// is alive while it executes them.
    func execute(_ initial: TestSuiteRun, steps: [String]) async {
        let lease = RunKey(testID: RunLeases.suiteRunKey(initial.testSuiteID), runID: initial.id)
        do {
            guard try await claimLease(lease) else { return }
        } catch {
            logger.error("suite run \(initial.testSuiteID)/\(initial.id) could not start: \(error)")
            return
        }
        await executeSteps(initial, steps)
        // Not at shutdown: the lease goes back to the queue then, and the next server ends the suite run FAILED.
        if !Task.isCancelled {
            try? await store.runLeases.release(testID: lease.testID, runID: lease.runID, owner: leaseOwner)
        }
    }

    private func executeSteps(_ initial: TestSuiteRun, _ steps: [String]) async {
        var suiteRun = initial
        do {
            try await executionRecorder.update(&suiteRun) { $0.state = "EXECUTING" }
            for (number, testID) in steps.enumerated() {
                let step = "step \(number + 1) (test \(testID))"
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
                    return try await fail(&suiteRun, "\(step) could not start: \(clientMessage(of: error))")
                }
                try await executionRecorder.update(&suiteRun) {
                    $0.stepRunIDs.append(.init(testID: testID, runID: stepRun.id))
                }
                let final: TestRun?
                switch await completion(of: RunKey(testID: testID, runID: stepRun.id)) {
                case .ended(let run): final = run
                case .notRunning: final = try await store.runs.get(testID: testID, runID: stepRun.id)
                case .shutdown: return
                }
                guard let final else { return try await fail(&suiteRun, "\(step) was deleted before it ended") }
                // Stored with the suite run's next update, whichever it is.
                suiteRun.pass += final.passCount
                suiteRun.fail += final.failCount
                guard final.state.isTerminal else {
                    return try await fail(
                        &suiteRun, "\(step) broke off in \(final.state.rawValue) (the server log says why)")
                }
                if final.state.isFailure || !final.lastErrorState.isEmpty {
                    let reason = final.lastErrorState.isEmpty ? final.state.rawValue : final.lastErrorState
                    return try await fail(&suiteRun, "\(step) ended in \(final.state.rawValue): \(reason)")
                }
                try await executionRecorder.update(&suiteRun) {
                    $0.variableSet.merge(
                        final.outputs.filter { $0.error == nil }.map { KeyValue(key: $0.name, value: $0.value) })
                }
            }
            try await executionRecorder.update(&suiteRun) {
                $0.state = "FINISHED"
                $0.completedAt = .now()
            }
        } catch {
            if !Task.isCancelled { logger.error("suite run \(suiteRun.testSuiteID)/\(suiteRun.id) failed: \(error)") }
        }
    }

    private func fail(_ suiteRun: inout TestSuiteRun, _ reason: String) async throws {
        try await executionRecorder.update(&suiteRun) {
            $0.state = "FAILED"
            $0.lastError = reason
            $0.completedAt = .now()
        }
    }
}
