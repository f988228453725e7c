import TracetestModel

/// The life of one run in this process, as a pure state machine (engine-telemetry.md §1): which step runs next,
/// which failure state a failed step ends the run in, what a stop does in each state, and where a run resumes after
/// a restart. Every run ends through ``Action/end(_:reason:)`` exactly once, or through a step that stores the final
/// state with its results (``Action/complete``).
struct RunLifecycle: Sendable {
    /// The steps of the pipeline, in order.
    enum Step: Sendable, Equatable, CaseIterable {
        /// Render the trigger's `${…}` expressions with the run's variables.
        case resolveTrigger
        /// Fire the trigger inside the `Tracetest trigger` span.
        case fireTrigger
        /// Wait for the trace and store it rooted at the trigger span.
        case awaitTrace
        /// Lint the trace.
        case analyze
        /// Resolve outputs and evaluate the specs; stores the run `FINISHED` with its results.
        case assert
    }

    enum Event: Sendable, Equatable {
        /// The run starts from its stored state: `CREATED` for a new run, another state after a restart.
        case start(RunState)
        case succeeded(Step)
        /// The step failed for a reason the run reports (a trigger that could not be resolved or fired, no trace).
        case failed(Step, reason: String)
        /// The step broke off on an unexpected error (a database that went away, say).
        case broke(Step, error: String)
        /// `POST .../stop`.
        case stopRequested
    }

    enum Action: Sendable, Equatable {
        case perform(Step)
        /// Store the run in terminal `state` with `reason` as its `lastErrorState` (and `completedAt`).
        case end(RunState, reason: String)
        /// The run ended and its final state is stored: nothing left to do.
        case complete
    }

    private enum State: Sendable, Equatable {
        case idle
        case performing(Step)
        case ended
    }

    private var state: State

    /// A lifecycle about to ``handle(_:)`` a start event.
    init() {
        state = .idle
    }

    /// The lifecycle of a run this process executes, at the step a run in `current` is in (for a stop).
    init(at current: RunState) {
        switch current {
        case .created: state = .performing(.resolveTrigger)
        case .executing: state = .performing(.fireTrigger)
        case .awaitingTrace: state = .performing(.awaitTrace)
        case .analyzingTrace: state = .performing(.analyze)
        case .awaitingTestResults: state = .performing(.assert)
        case .finished, .stopped, .triggerFailed, .traceFailed, .assertionFailed, .analyzingError, .failed:
            state = .ended
        }
    }

    static var stoppedReason: String { "the run was stopped by a user request (POST .../stop)" }
    static var interruptedTriggerReason: String {
        "the run was interrupted while its trigger was running (its server stopped or lost its database), so whether it reached the system under test is unknown; run the test again"
    }

    mutating func handle(_ event: Event) -> Action {
        switch (state, event) {
        case (.ended, _):
            return .complete
        case (.idle, .start(let stored)):
            return resume(from: stored)
        case (_, .stopRequested):
            return end(.stopped, Self.stoppedReason)
        case (.performing(let current), .succeeded(let step)) where current == step:
            guard let next = Self.step(after: step) else {
                state = .ended
                return .complete
            }
            return perform(next)
        case (.performing(let current), .failed(let step, let reason)) where current == step:
            return end(Self.failureState(of: step), reason)
        case (.performing(let current), .broke(let step, let error)) where current == step:
            return end(Self.failureState(of: step), "internal error: \(error)")
        default:
            preconditionFailure("run lifecycle: \(event) does not apply in state \(state)")
        }
    }

    /// Where a run stored in `stored` goes on: the step that state waits for, or its end.
    private mutating func resume(from stored: RunState) -> Action {
        switch stored {
        case .created: perform(.resolveTrigger)
        // The trigger may have reached the system under test or not: running it again could do harm twice.
        case .executing: end(.triggerFailed, Self.interruptedTriggerReason)
        case .awaitingTrace: perform(.awaitTrace)
        case .analyzingTrace: perform(.analyze)
        case .awaitingTestResults: perform(.assert)
        case .finished, .stopped, .triggerFailed, .traceFailed, .assertionFailed, .analyzingError, .failed:
            ended()
        }
    }

    private mutating func perform(_ step: Step) -> Action {
        state = .performing(step)
        return .perform(step)
    }

    private mutating func end(_ terminal: RunState, _ reason: String) -> Action {
        state = .ended
        return .end(terminal, reason: reason)
    }

    private mutating func ended() -> Action {
        state = .ended
        return .complete
    }

    private static func step(after step: Step) -> Step? {
        let steps = Step.allCases
        let next = steps.firstIndex(of: step)! + 1
        return next < steps.count ? steps[next] : nil
    }

    /// The state a run ends in when `step` fails.
    static func failureState(of step: Step) -> RunState {
        switch step {
        case .resolveTrigger, .fireTrigger: .triggerFailed
        case .awaitTrace: .traceFailed
        case .analyze: .analyzingError
        case .assert: .assertionFailed
        }
    }
}
