import Logging
import TracetestModel
import TracetestStorage

/// Saves a run's changes and events and publishes them: every change of a run goes through here.
struct RunRecorder: Sendable {
    let store: Store
    let updates: RunUpdates
    let logger: Logger

    /// Applies `change`, stores the run and publishes it; a cancelled (stopped) run is not written to.
    func update(_ run: inout TestRun, _ change: (inout TestRun) -> Void) async throws {
        try Task.checkCancellation()
        change(&run)
        try await save(run)
    }

    func save(_ run: TestRun) async throws {
        try await store.runs.update(run)
        await updates.publish(try WireEncoder().encode(run), on: RunUpdates.runTopic(testID: run.testID, runID: run.id))
    }

    /// Stores and publishes an event; a failure to store it is logged, not fatal to the run.
    func emit(
        _ kind: RunEventKind, _ run: TestRun, description: String? = nil, title: String? = nil,
        polling: RunEvent.Polling? = nil
    ) async {
        let event = RunEvent(
            kind, testID: run.testID, runID: run.id, description: description, title: title, polling: polling)
        do {
            try await store.runs.append(event)
            await updates.publish(
                try WireEncoder().encode(event), on: RunUpdates.eventTopic(testID: run.testID, runID: run.id))
        } catch {
            logger.warning("cannot store event \(kind.rawValue) of run \(run.testID)/\(run.id): \(error)")
        }
    }
}
