/// Where a test run is in its lifecycle.
///
/// The happy path is `CREATED → EXECUTING → AWAITING_TRACE → ANALYZING_TRACE → AWAITING_TEST_RESULTS → FINISHED`;
/// the failure states and `STOPPED` end a run early. `FINISHED` says nothing about whether assertions passed.
package enum RunState: String, Sendable, Codable, CaseIterable {
    case created = "CREATED"
    case executing = "EXECUTING"
    case awaitingTrace = "AWAITING_TRACE"
    case analyzingTrace = "ANALYZING_TRACE"
    case awaitingTestResults = "AWAITING_TEST_RESULTS"
    case finished = "FINISHED"
    case triggerFailed = "TRIGGER_FAILED"
    case traceFailed = "TRACE_FAILED"
    case assertionFailed = "ASSERTION_FAILED"
    case analyzingError = "ANALYZING_ERROR"
    case stopped = "STOPPED"
    /// A legacy value; never set by this server.
    case failed = "FAILED"

    /// No transition leaves a terminal state.
    package var isTerminal: Bool {
        switch self {
        case .finished, .triggerFailed, .traceFailed, .assertionFailed, .analyzingError, .stopped, .failed: true
        case .created, .executing, .awaitingTrace, .analyzingTrace, .awaitingTestResults: false
        }
    }

    /// The states that mean the run could not be completed.
    package var isFailure: Bool {
        switch self {
        case .triggerFailed, .traceFailed, .assertionFailed, .analyzingError, .stopped, .failed: true
        default: false
        }
    }

    /// The states a run may move to from this one: forward along the happy path, into a failure state from any
    /// non-terminal state, and `STOPPED` from any non-terminal state.
    package func canMove(to next: RunState) -> Bool {
        guard !isTerminal else { return false }
        switch next {
        case .stopped, .failed: return true
        case .triggerFailed: return self == .created || self == .executing
        case .traceFailed: return self == .awaitingTrace || self == .executing
        case .analyzingError: return self == .analyzingTrace
        case .assertionFailed: return self == .analyzingTrace || self == .awaitingTestResults
        case .created: return false
        case .executing: return self == .created
        case .awaitingTrace: return self == .executing
        case .analyzingTrace: return self == .awaitingTrace || self == .executing || self == .created
        case .awaitingTestResults: return self == .analyzingTrace
        case .finished: return self == .analyzingTrace || self == .awaitingTestResults
        }
    }
}
