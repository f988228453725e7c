import Synchronization
import TracetestConcurrency
import TracetestIngest
import TracetestLanguage
import TracetestModel

/// Waits for a run's trace on the built-in OTLP store: feeds span arrivals, wake-ups from a clock and skip requests
/// to a ``TraceCompletion`` and carries out its actions (events, polling spans, selector checks). Nothing sleeps for
/// a fixed time: a wake-up is asked for only when the completion machine needs one.
struct TraceWaiter {
    let spans: SpanStore
    let recorder: RunRecorder
    let run: TestRun
    let profile: PollingProfile.Periodic
    let selectors: [String]
    let control: RunControl

    enum Outcome {
        /// Polling ended with these spans (possibly none when skipped).
        case trace([Span], reason: String, skipped: Bool, iterations: Int)
        /// No span arrived before the timeout.
        case timedOut
    }

    private enum Input: Sendable {
        /// Spans arrived: take them from the ``ArrivalsHeld`` (one event for all that came meanwhile).
        case arrival
        case wake
        case skip
    }

    /// Arrivals not handled yet, merged into one: when spans come faster than the run records them (an event, a
    /// polling iteration, each a write), the run records what came meanwhile at once instead of falling behind.
    private final class ArrivalsHeld: Sendable {
        private let held = Mutex<SpanStore.Arrival?>(nil)

        /// Holds `arrival`; true when nothing was held (the waiter must be told).
        func hold(_ arrival: SpanStore.Arrival) -> Bool {
            held.withLock { held in
                guard var merged = held else {
                    held = arrival
                    return true
                }
                merged.newSpans += arrival.newSpans
                merged.progress = arrival.progress
                merged.transport = arrival.transport
                held = merged
                return false
            }
        }

        func take() -> SpanStore.Arrival? {
            held.withLock { held in
                defer { held = nil }
                return held
            }
        }
    }

    /// - Parameters:
    ///   - arrivals: subscribed before the trigger fired, so no arrival is missed.
    ///   - clock: measures the quiet windows and the timeout, counted from the trigger.
    ///   - polling: records each iteration's `Fetching trace` and `Evaluating trace` spans.
    func wait<C: Clock>(
        arrivals: Broadcast<TraceID, SpanStore.Arrival>.Listener, clock: C, polling: inout PollingSpans
    ) async throws -> Outcome where C.Duration == Duration {
        let settings = TraceCompletion<C.Instant>.Settings(
            retryDelay: profile.retryDelayDuration,
            parentGracePeriod: (try? GoDuration(parsing: profile.parentGracePeriod ?? "").duration)
                ?? PollingProfile.defaultParentGracePeriod,
            selectorMatchRetries: profile.selectorMatchRetries,
            checksSelectors: !selectors.isEmpty)
        let timeout = profile.timeoutDuration
        let elapsed = run.sinceTrigger
        let now = clock.now
        var completion = TraceCompletion(
            settings: settings, deadline: now.advanced(by: timeout - elapsed),
            progress: progress(try await spans.progress(of: run.traceID)), now: now)

        let (inputs, feed) = AsyncStream.makeStream(of: Input.self)
        let held = ArrivalsHeld()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask {
                for await arrival in arrivals where held.hold(arrival) { feed.yield(.arrival) }
            }
            group.addTask {
                for await _ in control.skips() { feed.yield(.skip) }
            }
            // Wake-ups already asked for: a new one is needed only before the earliest of them.
            var wakeUps: [C.Instant] = []
            func wake(at instant: C.Instant) {
                guard !wakeUps.contains(where: { $0 <= instant }) else { return }
                wakeUps.append(instant)
                group.addTask {
                    try await clock.sleep(until: instant, tolerance: nil)
                    feed.yield(.wake)
                }
            }

            var iterator = inputs.makeAsyncIterator()
            var action = completion.start()
            while true {
                switch action {
                case .none:
                    break
                case .wait(let instant):
                    wake(at: instant)
                case .recordArrival(let iteration, let count, let wakeAt):
                    polling.evaluated(polling.fetching(), spans: count, finished: false, reason: "New spans found")
                    await recordIteration(
                        iteration, spans: count, reason: "new spans found, waiting for the trace to settle")
                    wake(at: wakeAt)
                case .checkSelectors:
                    let iteration = polling.fetching()
                    let current = try await spans.spans(of: run.traceID)
                    let unmatched = await unmatchedSelectors(current)
                    action = completion.handle(.selectorsChecked(unmatched: unmatched, at: clock.now))
                    switch action {
                    case .finish(.spans(let reason), let iterations):
                        polling.evaluated(iteration, spans: current.count, finished: true, reason: reason)
                        return .trace(current, reason: reason, skipped: false, iterations: iterations)
                    default:
                        polling.evaluated(
                            iteration, spans: current.count, finished: false,
                            reason: "not all selectors got matching spans in the trace")
                    }
                    continue
                case .retrySelectors(let iteration, let count, _, let wakeAt):
                    await recordIteration(
                        iteration, spans: count, reason: "not all selectors got matching spans in the trace")
                    wake(at: wakeAt)
                case .finish(let finish, let iterations):
                    return try await finished(finish, iterations: iterations, polling: &polling)
                }
                guard let input = await iterator.next() else { throw CancellationError() }
                try Task.checkCancellation()
                switch input {
                case .arrival:
                    guard let arrival = held.take() else {
                        action = .none
                        continue
                    }
                    await recorder.emit(
                        .otlpServerReceivedSpans, run,
                        description: "\(arrival.newSpans) span(s) received; the trace has \(arrival.totalSpans)",
                        title: "\(arrival.transport.rawValue) OTLP server endpoint received spans")
                    action = completion.handle(.arrived(progress(arrival.progress), at: clock.now))
                case .wake:
                    let now = clock.now
                    wakeUps.removeAll { $0 <= now }
                    action = completion.handle(.wake(at: now))
                case .skip:
                    action = completion.handle(.skip)
                }
            }
        }
    }

    /// The `POLLING_ITERATION_INFO` event of an iteration that did not end the wait.
    private func recordIteration(_ iteration: Int, spans: Int, reason: String) async {
        await recorder.emit(
            .pollingIterationInfo, run, description: "Trace polling iteration executed. Reason: \(reason)",
            polling: .init(isComplete: false, numberSpans: spans, numberIterations: iteration))
    }

    /// The spans of the finished wait, with the polling span that says why it ended.
    private func finished(
        _ finish: TraceCompletion<some InstantProtocol>.Finish, iterations: Int, polling: inout PollingSpans
    ) async throws -> Outcome {
        switch finish {
        case .timedOut:
            polling.failure(spans: 0, error: "timeout")
            return .timedOut
        case .skipped:
            let reason = "Trace Collection Skipped"
            let current = try await spans.spans(of: run.traceID)
            polling.evaluated(polling.fetching(), spans: current.count, finished: true, reason: reason)
            return .trace(current, reason: reason, skipped: true, iterations: iterations)
        case .spans(let reason):
            let current = try await spans.spans(of: run.traceID)
            polling.evaluated(polling.fetching(), spans: current.count, finished: true, reason: reason)
            return .trace(current, reason: reason, skipped: false, iterations: iterations)
        }
    }

    /// What the completion machine needs from the store's account of the trace: the trigger span is ours, so it
    /// neither counts as the application's nor as a missing parent.
    private func progress<Instant>(_ progress: SpanStore.TraceProgress) -> TraceCompletion<Instant>.Progress {
        var missing = progress.missingParents
        missing.remove(run.spanID)
        return .init(
            spans: progress.spanCount, hasApplicationSpans: progress.hasSpan(otherThan: run.spanID),
            missingParents: missing.count)
    }

    /// The spec selectors that select nothing in the trace as it would be rooted now (on the compute pool).
    private func unmatchedSelectors(_ spans: [Span]) async -> [String] {
        await Self.unmatched(selectors, in: spans, of: run)
    }

    /// The `selectors` that select nothing in `spans` rooted as `run`'s trace would be (on the compute pool).
    static func unmatched(_ selectors: [String], in spans: [Span], of run: TestRun) async -> [String] {
        guard !selectors.isEmpty else { return [] }
        return await ComputePool.shared.run {
            let index = TraceIndex(TriggerRoot.trace(for: run, spans: spans))
            return selectors.filter { text in
                guard let selector = try? Selector.cached(text) else { return false }
                return selector.select(in: index).isEmpty
            }
        }
    }
}

extension PollingProfile.Periodic {
    /// `retryDelay` as a duration (500 ms when it does not parse).
    var retryDelayDuration: Duration { (try? GoDuration(parsing: retryDelay).duration) ?? .milliseconds(500) }
    /// `timeout` as a duration (60 s when it does not parse).
    var timeoutDuration: Duration { (try? GoDuration(parsing: timeout).duration) ?? .seconds(60) }
}

extension TestRun {
    /// The time since the trigger fired: a polling timeout counts from then. It is a wall-clock time stored with the
    /// run (the trigger may have fired before a restart); what is left of a timeout is measured on the engine's clock.
    var sinceTrigger: Duration {
        .microseconds(max(0, Timestamp.now().microsecondsSinceEpoch - serviceTriggeredAt.microsecondsSinceEpoch))
    }
}
