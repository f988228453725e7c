import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Run lifecycle") struct RunLifecycleTests {
    typealias Step = RunLifecycle.Step

    @Test("a new run goes through every step in order and completes with the last one")
    func normalRun() {
        var lifecycle = RunLifecycle()
        #expect(lifecycle.handle(.start(.created)) == .perform(.resolveTrigger))
        #expect(lifecycle.handle(.succeeded(.resolveTrigger)) == .perform(.fireTrigger))
        #expect(lifecycle.handle(.succeeded(.fireTrigger)) == .perform(.awaitTrace))
        #expect(lifecycle.handle(.succeeded(.awaitTrace)) == .perform(.analyze))
        #expect(lifecycle.handle(.succeeded(.analyze)) == .perform(.assert))
        #expect(lifecycle.handle(.succeeded(.assert)) == .complete)
        #expect(lifecycle.handle(.stopRequested) == .complete, "a stop after the end changes nothing")
    }

    @Test(
        "a failed step ends the run in its failure state with the reason",
        arguments: [
            (Step.resolveTrigger, RunState.triggerFailed), (.fireTrigger, .triggerFailed),
            (.awaitTrace, .traceFailed), (.analyze, .analyzingError), (.assert, .assertionFailed),
        ])
    func failedStep(step: Step, state: RunState) {
        var lifecycle = RunLifecycle()
        var action = lifecycle.handle(.start(.created))
        while action != .perform(step) {
            guard case .perform(let current) = action else {
                Issue.record("never reached \(step)")
                return
            }
            action = lifecycle.handle(.succeeded(current))
        }
        #expect(lifecycle.handle(.failed(step, reason: "why")) == .end(state, reason: "why"))
        #expect(lifecycle.handle(.failed(step, reason: "again")) == .complete, "the run ends once")
    }

    @Test("an unexpected error ends the run in the failure state of its step, saying it was internal")
    func brokenStep() {
        var lifecycle = RunLifecycle()
        _ = lifecycle.handle(.start(.awaitingTrace))
        #expect(
            lifecycle.handle(.broke(.awaitTrace, error: "database gone"))
                == .end(.traceFailed, reason: "internal error: database gone"))
    }

    @Test("a stop during any step ends the run STOPPED, saying it was stopped, once", arguments: Step.allCases)
    func stopDuringStep(step: Step) {
        var lifecycle = RunLifecycle()
        var action = lifecycle.handle(.start(.created))
        while action != .perform(step), case .perform(let current) = action {
            action = lifecycle.handle(.succeeded(current))
        }
        #expect(lifecycle.handle(.stopRequested) == .end(.stopped, reason: RunLifecycle.stoppedReason))
        #expect(lifecycle.handle(.stopRequested) == .complete)
    }

    @Test("a stop of a run in any state: STOPPED unless it has ended", arguments: RunState.allCases)
    func stopInEveryState(state: RunState) {
        var lifecycle = RunLifecycle(at: state)
        let expected: RunLifecycle.Action =
            state.isTerminal ? .complete : .end(.stopped, reason: RunLifecycle.stoppedReason)
        #expect(lifecycle.handle(.stopRequested) == expected)
    }

    @Test(
        "after a restart, a run goes on from its stored state; one caught mid-trigger ends TRIGGER_FAILED",
        arguments: RunState.allCases)
    func recovery(state: RunState) {
        var lifecycle = RunLifecycle()
        let expected: RunLifecycle.Action =
            switch state {
            case .created: .perform(.resolveTrigger)
            case .executing: .end(.triggerFailed, reason: RunLifecycle.interruptedTriggerReason)
            case .awaitingTrace: .perform(.awaitTrace)
            case .analyzingTrace: .perform(.analyze)
            case .awaitingTestResults: .perform(.assert)
            default: .complete
            }
        #expect(lifecycle.handle(.start(state)) == expected)
    }

    @Test("a rerun, created awaiting test results, evaluates the specs again and nothing else")
    func rerun() {
        var lifecycle = RunLifecycle()
        #expect(lifecycle.handle(.start(.awaitingTestResults)) == .perform(.assert))
        #expect(lifecycle.handle(.succeeded(.assert)) == .complete)
    }
}

@Suite("Run queue") struct RunQueueTests {
    static func key(_ number: Int) -> RunKey { RunKey(testID: "t", runID: number) }

    @Test("runs start while slots are free, then wait in order and start as slots free up")
    func slots() {
        var queue = RunQueue<Int>(limit: 2)
        #expect(queue.submit(Self.key(1), 1) == 1)
        #expect(queue.submit(Self.key(2), 2) == 2)
        #expect(queue.submit(Self.key(3), 3) == nil)
        #expect(queue.submit(Self.key(4), 4) == nil)
        #expect(queue.finished(Self.key(2)) == [3])
        #expect(queue.finished(Self.key(1)) == [4])
        #expect(queue.finished(Self.key(3)) == [])
        #expect(queue.running == [Self.key(4)])
    }

    @Test("a waiting run can be withdrawn; a running one cannot")
    func withdraw() {
        var queue = RunQueue<Int>(limit: 1)
        _ = queue.submit(Self.key(1), 1)
        _ = queue.submit(Self.key(2), 2)
        #expect(queue.withdraw(Self.key(1)) == nil)
        #expect(queue.withdraw(Self.key(2)) == 2)
        #expect(queue.withdraw(Self.key(2)) == nil, "withdrawn once")
        #expect(queue.finished(Self.key(1)) == [])
    }
}
