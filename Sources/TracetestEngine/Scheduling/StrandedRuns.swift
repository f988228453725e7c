import TracetestModel

/// Which unfinished runs nobody works on, from periodic sweeps; pure bookkeeping, no I/O. A run that a write failure
/// left unfinished (the database away longer than the writes are retried) has no owner until it is picked up. A
/// run is taken for stranded when two sweeps in a row find it unfinished, in the same state, and not busy here, so a
/// run between its creation and its start is never taken.
struct StrandedRuns: Sendable {
    private var previous: [RunKey: RunState] = [:]

    /// Records a sweep's finding (`idle`: the unfinished runs not busy here, with their states); returns the runs
    /// to resume.
    mutating func sweep(idle: [RunKey: RunState]) -> [RunKey] {
        let stranded = idle.filter { previous[$0.key] == $0.value }.keys
        previous = idle
        return stranded.sorted { ($0.testID, $0.runID) < ($1.testID, $1.runID) }
    }
}
