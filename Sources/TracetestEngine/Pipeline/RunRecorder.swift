import Logging
import TracetestConcurrency
import TracetestModel
import TracetestStorage

/// Saves runs, their traces and events, and publishes every change: each write of a run goes through here.
struct RunRecorder: Sendable {
    let store: Store
    let updates: RunUpdates
    let clock: any Clock<Duration>
    let logger: Logger
    /// Who else hears of every run saved (the other servers of a shared database).
    var peers = ServerPeers(database: nil, name: "")
    /// The server whose lease each write of a run (its trace, its events) or suite run requires (that of their
    /// execution); nil for writes made for a request (imports, reruns) or for another server's suite run.
    var leaseHolder: String? = nil

    /// This recorder, with every write of a run requiring `server`'s lease on it.
    func requiringLease(of server: String) -> RunRecorder {
        var recorder = self
        recorder.leaseHolder = server
        return recorder
    }

    /// Stores a new run under the next run number of its test, with its lease when it is to be executed, and, when
    /// `announced`, records its `CREATED_INFO` event (an imported run has none).
    func create(
        _ run: TestRun, leasedTo lease: (owner: String, until: Int64)? = nil, announced: Bool = true
    ) async throws -> TestRun {
        let created = try await store.runs.create(run, leasedTo: lease)
        if announced { await emit(.createdInfo, created) }
        return created
    }

    /// Applies `change`, stores the run (with the details the change touched) and publishes it; a cancelled
    /// (stopped) run is not written to.
    func update(_ run: inout TestRun, _ change: (inout TestRun) -> Void) async throws {
        try Task.checkCancellation()
        // The change is kept only once it is stored: a failed write leaves `run` as it was.
        var changed = run
        change(&changed)
        var parts: RunDetails.Parts = []
        if changed.result != run.result { parts.insert(.result) }
        if changed.linter != run.linter { parts.insert(.linter) }
        if changed.junitReport != run.junitReport { parts.insert(.junit) }
        try await save(changed, details: parts)
        run = changed
    }

    /// Ends the run in terminal `state` with `reason` (its `lastErrorState`).
    func end(_ run: inout TestRun, _ state: RunState, reason: String) async throws {
        try Task.checkCancellation()
        var ended = run
        ended.state = state
        ended.lastErrorState = reason
        ended.completedAt = .now()
        try await save(ended)
        run = ended
    }

    /// Stores the run as it is (and the `details` given) and publishes it; false when it was deleted. A write the
    /// database could not take (unreachable, connection lost) is retried with backoff for about half a minute, so a
    /// database that is briefly away neither fails nor strands the run.
    @discardableResult
    func save(_ run: TestRun, details: RunDetails.Parts = []) async throws -> Bool {
        var delay = Duration.milliseconds(250)
        var attempt = 1
        while true {
            do {
                let stored = try await store.runs.update(run, details: details, leaseHolder: leaseHolder)
                await updates.publish(on: RunUpdates.runTopic(testID: run.testID, runID: run.id)) {
                    try await ComputePool.shared.run { try WireEncoder().encode(run) }
                }
                await peers.announce(testID: run.testID, runID: run.id)
                return stored
            } catch let error where attempt < 8 && !Task.isCancelled && Self.isTransient(error) {
                logger.warning("cannot store run \(run.testID)/\(run.id) (attempt \(attempt)), retrying: \(error)")
                try await clock.sleep(for: delay)
                delay *= 2
                attempt += 1
            }
        }
    }

    /// Whether a write may succeed when tried again: the database was away, not the write wrong.
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? StorageError else { return true }
        return [.unreachable, .statementFailed, .transactionAborted].contains(error.code)
    }

    /// Stores the run's final trace, with its wire form.
    func saveTrace(_ trace: Trace, of run: TestRun) async throws {
        try await store.runs.saveTrace(
            trace.spans, document: await TraceDocument.json(trace), of: run, leaseHolder: leaseHolder)
    }

    /// Gives `run` the trace of run `source` of the same test (a rerun).
    func copyTrace(from source: Int, to run: TestRun) async throws {
        try await store.runs.copyTrace(from: source, to: run)
    }

    /// Removes the run with its trace and events; false when there was no such run.
    func delete(testID: String, runID: Int) async throws -> Bool {
        try await store.runs.delete(testID: testID, runID: runID)
    }

    /// Stores and publishes an event; a failure to store it is logged, not fatal to the run.
    func emit(
        _ kind: RunEventKind, _ run: TestRun, description: String? = nil, title: String? = nil,
        polling: RunEvent.Polling? = nil, dataStoreConnection: WireValue? = nil
    ) async {
        var made = RunEvent(
            kind, testID: run.testID, runID: run.id, description: description, title: title, polling: polling)
        made.dataStoreConnection = dataStoreConnection
        let event = made
        do {
            try await store.runs.append(event, leaseHolder: leaseHolder)
            let wire = try WireEncoder().encode(event)
            await updates.publish(on: RunUpdates.eventTopic(testID: run.testID, runID: run.id)) { wire }
            await peers.announce(event: wire, testID: run.testID, runID: run.id)
        } catch {
            logger.warning("cannot store event \(kind.rawValue) of run \(run.testID)/\(run.id): \(error)")
        }
    }

    // MARK: Suite runs

    /// Stores a new suite run under the next run number of its suite.
    func create(_ suiteRun: TestSuiteRun) async throws -> TestSuiteRun {
        try await store.suiteRuns.create(suiteRun)
    }

    /// Applies `change`, stores the suite run and publishes it with its step runs filled in.
    func update(_ suiteRun: inout TestSuiteRun, _ change: (inout TestSuiteRun) -> Void) async throws {
        change(&suiteRun)
        try await store.suiteRuns.update(suiteRun, leaseHolder: leaseHolder)
        let published = suiteRun
        await updates.publish(on: RunUpdates.suiteRunTopic(suiteID: suiteRun.testSuiteID, runID: suiteRun.id)) {
            var filled = published
            filled.steps = try await steps(of: published)
            return try WireEncoder().encode(filled)
        }
    }

    /// The runs of the suite run's steps, as stored now, with every span result (the CLI prints them).
    func steps(of suiteRun: TestSuiteRun) async throws -> [TestRun] {
        var steps: [TestRun] = []
        for step in suiteRun.stepRunIDs {
            if let run = try await store.runs.getWithDetails(testID: step.testID, runID: step.runID) {
                steps.append(run)
            }
        }
        return steps
    }

    func delete(testSuiteID: String, runID: Int) async throws -> Bool {
        try await store.suiteRuns.delete(testSuiteID: testSuiteID, runID: runID)
    }
}
