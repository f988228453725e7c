import TestSupport
import Testing
import TracetestModel

@testable import TracetestEngine

/// The trace-completion machine on a test clock: a scripted timeline of span arrivals (and a skip), the wake-ups the
/// machine asks for delivered when the clock reaches them, and the selector checks answered at once.
@Suite("Trace completion") struct TraceCompletionTests {
    typealias Machine = TraceCompletion<TestClock.Instant>
    typealias Progress = Machine.Progress

    static let settings = Machine.Settings(
        retryDelay: .milliseconds(500), parentGracePeriod: .seconds(6), selectorMatchRetries: 3, checksSelectors: true)

    /// One arrival: at `at` after the trigger, the trace has `spans` spans with `missing` parents absent.
    struct Arrival {
        var at: Duration
        var spans: Int
        var missing = 0
        var application = true
    }

    struct Result {
        var finish: Machine.Finish
        /// When polling ended, after the trigger.
        var at: Duration
        var iterations: Int
        var spans: Int
        var selectorChecks: Int
    }

    /// Runs the machine until it finishes: the clock jumps to the next arrival, skip or requested wake-up.
    static func simulate(
        _ arrivals: [Arrival], skipAt: Duration? = nil, timeout: Duration = .seconds(60),
        settings: Machine.Settings = settings, unmatched: (Progress, Duration) -> [String] = { _, _ in [] }
    ) throws -> Result {
        let clock = TestClock()
        let start = clock.now
        var machine = Machine(settings: settings, deadline: start.advanced(by: timeout), now: start)
        var wakeUps: [TestClock.Instant] = []
        var pending = arrivals
        var skip = skipAt
        var checks = 0
        var action = machine.start()
        for _ in 0..<10_000 {
            switch action {
            case .finish(let finish, let iterations):
                return Result(
                    finish: finish, at: start.duration(to: clock.now), iterations: iterations,
                    spans: machine.progress.spans, selectorChecks: checks)
            case .wait(let instant): wakeUps.append(instant)
            case .recordArrival(_, _, let wakeAt): wakeUps.append(wakeAt)
            case .retrySelectors(_, _, _, let wakeAt): wakeUps.append(wakeAt)
            case .checkSelectors:
                checks += 1
                let elapsed = start.duration(to: clock.now)
                action = machine.handle(
                    .selectorsChecked(unmatched: unmatched(machine.progress, elapsed), at: clock.now))
                continue
            case .none: break
            }
            let nextArrival = pending.first.map { start.advanced(by: $0.at) }
            let nextWake = wakeUps.min()
            let nextSkip = skip.map { start.advanced(by: $0) }
            let next = try #require(
                [nextArrival, nextWake, nextSkip].compactMap { $0 }.min(), "nothing left to happen")
            clock.advance(by: clock.now.duration(to: next))
            if let nextSkip, nextSkip == next {
                skip = nil
                action = machine.handle(.skip)
            } else if let nextArrival, nextArrival == next {
                let arrival = pending.removeFirst()
                action = machine.handle(
                    .arrived(
                        Progress(
                            spans: arrival.spans, hasApplicationSpans: arrival.application,
                            missingParents: arrival.missing), at: clock.now))
            } else {
                wakeUps.removeAll { $0 <= next }
                action = machine.handle(.wake(at: clock.now))
            }
        }
        throw TestServerError("the machine never finished")
    }

    @Test("a complete trace finishes one quiet window after its last arrival")
    func normalCompletion() throws {
        let result = try Self.simulate([.init(at: .milliseconds(40), spans: 3), .init(at: .milliseconds(90), spans: 7)])
        #expect(result.finish == .spans(reason: Machine.completeReason))
        #expect(result.at == .milliseconds(590))
        #expect(result.iterations == 2)
        #expect(result.spans == 7)
        #expect(result.selectorChecks == 1)
    }

    @Test("exports 5.5 s apart: a span whose parent is missing holds the trace until the parent arrives")
    func missingParentWaitsForTheNextExport() throws {
        // The SDK's batch timer sends the children first; their parent comes in the next export, 5.5 s later.
        let result = try Self.simulate([
            .init(at: .milliseconds(100), spans: 4, missing: 1), .init(at: .milliseconds(5_600), spans: 5),
        ])
        #expect(result.finish == .spans(reason: Machine.completeReason))
        #expect(result.spans == 5, "the whole trace, parent included")
        #expect(result.at == .milliseconds(6_100))
    }

    @Test("a parent that never comes is given up on once the grace period after the last arrival passed")
    func missingParentGracePeriod() throws {
        let result = try Self.simulate([.init(at: .milliseconds(100), spans: 4, missing: 1)])
        #expect(result.finish == .spans(reason: Machine.completeReason))
        #expect(result.at == .milliseconds(6_100))
        let shorter = try Self.simulate(
            [.init(at: .milliseconds(100), spans: 4, missing: 1)],
            settings: .init(
                retryDelay: .milliseconds(500), parentGracePeriod: .seconds(2), selectorMatchRetries: 3,
                checksSelectors: true))
        #expect(shorter.at == .milliseconds(2_100))
    }

    @Test("nothing arrives: the run times out at the deadline")
    func timeout() throws {
        let result = try Self.simulate([], timeout: .seconds(60))
        #expect(result.finish == .timedOut)
        #expect(result.at == .seconds(60))
        #expect(result.iterations == 0)
    }

    @Test("spans that keep arriving until the deadline end the wait there, with what arrived")
    func timeoutWithSpans() throws {
        let arrivals = (1...30).map { Arrival(at: .milliseconds(400 * $0), spans: $0) }
        let result = try Self.simulate(arrivals, timeout: .seconds(10))
        #expect(result.finish == .spans(reason: Machine.timedOutWithSpansReason))
        #expect(result.at == .seconds(10))
        #expect(result.spans == 25)
    }

    @Test("only the trigger span arrived: the wait goes on to the deadline")
    func onlyTheTriggerSpan() throws {
        let result = try Self.simulate(
            [.init(at: .milliseconds(10), spans: 1, application: false)], timeout: .seconds(5))
        #expect(result.finish == .spans(reason: Machine.timedOutWithSpansReason))
        #expect(result.at == .seconds(5))
    }

    @Test("skip polling ends the wait at once, before or after spans came")
    func skip() throws {
        let early = try Self.simulate([.init(at: .seconds(2), spans: 3)], skipAt: .seconds(1))
        #expect(early.finish == .skipped)
        #expect(early.at == .seconds(1))
        #expect(early.spans == 0)
        let late = try Self.simulate([.init(at: .milliseconds(10), spans: 3, missing: 1)], skipAt: .seconds(3))
        #expect(late.finish == .skipped)
        #expect(late.at == .seconds(3))
        #expect(late.spans == 3)
    }

    @Test("a selector that matches nothing gets selectorMatchRetries more quiet windows, then the wait gives up")
    func selectorMatchRetries() throws {
        let result = try Self.simulate([.init(at: .milliseconds(100), spans: 3)]) { _, _ in ["span[name=\"late\"]"] }
        #expect(result.finish == .spans(reason: "Some selectors never matched a span, giving up: span[name=\"late\"]"))
        #expect(result.selectorChecks == 4, "the first check and three retries")
        #expect(result.at == .milliseconds(600 + 3 * 500))
        #expect(result.iterations == 4, "the arrival and three retries")
    }

    @Test("a span arriving during the selector retries completes the trace once it matches")
    func selectorMatchesAfterALateSpan() throws {
        let result = try Self.simulate([
            .init(at: .milliseconds(100), spans: 3), .init(at: .milliseconds(900), spans: 4),
        ]) { progress, _ in progress.spans < 4 ? ["span[name=\"late\"]"] : [] }
        #expect(result.finish == .spans(reason: Machine.completeReason))
        #expect(result.spans == 4)
        #expect(result.at == .milliseconds(1_400))
    }

    @Test("a restarted wait starts from the spans stored before the restart")
    func resumedWithStoredSpans() throws {
        let clock = TestClock()
        var machine = Machine(
            settings: Self.settings, deadline: clock.now.advanced(by: .seconds(30)),
            progress: Progress(spans: 12, hasApplicationSpans: true, missingParents: 0), now: clock.now)
        #expect(machine.start() == .wait(until: clock.now.advanced(by: .milliseconds(500))))
        clock.advance(by: .milliseconds(500))
        #expect(machine.handle(.wake(at: clock.now)) == .checkSelectors)
        #expect(
            machine.handle(.selectorsChecked(unmatched: [], at: clock.now))
                == .finish(.spans(reason: Machine.completeReason), iterations: 0))
        #expect(machine.handle(.wake(at: clock.now)) == .none, "a late wake-up after the end changes nothing")
    }

    @Test("an early or repeated wake-up changes nothing")
    func spuriousWakeUps() throws {
        let clock = TestClock()
        var machine = Machine(settings: Self.settings, deadline: clock.now.advanced(by: .seconds(30)), now: clock.now)
        clock.advance(by: .milliseconds(100))
        let arrival = machine.handle(
            .arrived(Progress(spans: 2, hasApplicationSpans: true, missingParents: 0), at: clock.now))
        #expect(arrival == .recordArrival(iteration: 1, spans: 2, wakeAt: clock.now.advanced(by: .milliseconds(500))))
        clock.advance(by: .milliseconds(200))
        #expect(machine.handle(.wake(at: clock.now)) == .wait(until: clock.now.advanced(by: .milliseconds(300))))
        #expect(machine.handle(.wake(at: clock.now)) == .wait(until: clock.now.advanced(by: .milliseconds(300))))
    }
}
