import TracetestModel

/// Decides when a run's trace is complete on the built-in OTLP store (DECISIONS.md, docs/COMPATIBILITY.md), as a
/// pure state machine: events in (spans arrived, a wake-up, the selectors were checked, skip), actions out. It does
/// no I/O and reads no clock: every event carries the time it happened.
///
/// The trace is complete when a span other than the trigger's arrived, none arrived for `retryDelay`, and every
/// span's parent is present, or `parentGracePeriod` passed since the last arrival (the OpenTelemetry SDKs export on
/// a 5 s batch timer, so a parent can come in a later export). Then, while a spec selector matches nothing, up to
/// `selectorMatchRetries` more quiet windows. `deadline` bounds it all.
struct TraceCompletion<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    struct Settings: Sendable, Equatable {
        var retryDelay: Duration
        var parentGracePeriod: Duration
        var selectorMatchRetries: Int
        /// Whether the test has spec selectors to check.
        var checksSelectors: Bool
    }

    /// What the store holds for the trace.
    struct Progress: Sendable, Equatable {
        var spans: Int
        /// Whether a span other than the run's trigger span arrived.
        var hasApplicationSpans: Bool
        /// Parents that spans name but that have not arrived (the trigger span counts as present).
        var missingParents: Int

        static var empty: Progress { Progress(spans: 0, hasApplicationSpans: false, missingParents: 0) }
    }

    enum Event: Sendable, Equatable {
        case arrived(Progress, at: Instant)
        /// A wake-up asked for by ``Action/wait(until:)`` (or a late one from an earlier request; any is safe).
        case wake(at: Instant)
        /// The result of ``Action/checkSelectors``: the selectors that match no span.
        case selectorsChecked(unmatched: [String], at: Instant)
        /// `POST .../skipPolling`.
        case skip
    }

    enum Finish: Sendable, Equatable {
        /// Polling ended with the spans received so far.
        case spans(reason: String)
        /// Skipped on request, with the spans received so far.
        case skipped
        /// The deadline passed and no span arrived.
        case timedOut
    }

    enum Action: Sendable, Equatable {
        /// Nothing to do until this instant (send ``Event/wake(at:)`` then) or the next arrival.
        case wait(until: Instant)
        /// Spans arrived (polling iteration `iteration`); then wait as in ``wait(until:)``.
        case recordArrival(iteration: Int, spans: Int, wakeAt: Instant)
        /// The trace looks complete: check which spec selectors match nothing (on the spans the store holds then),
        /// and send ``Event/selectorsChecked(unmatched:at:)`` before any other event.
        case checkSelectors
        /// Some selectors matched nothing: another quiet window (polling iteration `iteration`), until `wakeAt`.
        case retrySelectors(iteration: Int, spans: Int, unmatched: [String], wakeAt: Instant)
        case finish(Finish, iterations: Int)
        /// Polling already finished: ignore the event.
        case none
    }

    let settings: Settings
    let deadline: Instant
    private(set) var progress: Progress
    private(set) var iterations = 0
    private var lastArrival: Instant?
    /// When the next selector check may run, after selectors matched nothing.
    private var retryAt: Instant?
    private var selectorRetries = 0
    private var finished = false

    static var completeReason: String { "The trace is complete and every selector matched" }
    static var timedOutWithSpansReason: String { "Timed out while waiting for more spans" }

    /// Starts waiting at `now`, with what the store already holds (spans stored before a restart, say).
    init(settings: Settings, deadline: Instant, progress: Progress = .empty, now: Instant) {
        self.settings = settings
        self.deadline = deadline
        self.progress = progress
        if progress.spans > 0 { lastArrival = now }
    }

    /// The first action: wait for the quiet window of what is already there, or for the deadline.
    func start() -> Action {
        .wait(until: clamped(lastArrival.map { $0.advanced(by: settings.retryDelay) } ?? deadline))
    }

    mutating func handle(_ event: Event) -> Action {
        guard !finished else { return .none }
        switch event {
        case .skip:
            return finish(.skipped)
        case .arrived(let progress, let now):
            self.progress = progress
            lastArrival = now
            iterations += 1
            return .recordArrival(
                iteration: iterations, spans: progress.spans, wakeAt: clamped(now.advanced(by: settings.retryDelay)))
        case .wake(let now):
            return decide(at: now)
        case .selectorsChecked(let unmatched, let now):
            if unmatched.isEmpty { return finish(.spans(reason: Self.completeReason)) }
            guard selectorRetries < settings.selectorMatchRetries else {
                let list = unmatched.joined(separator: ", ")
                return finish(.spans(reason: "Some selectors never matched a span, giving up: \(list)"))
            }
            guard now < deadline else { return finish(.spans(reason: Self.timedOutWithSpansReason)) }
            selectorRetries += 1
            iterations += 1
            let next = now.advanced(by: settings.retryDelay)
            retryAt = next
            return .retrySelectors(
                iteration: iterations, spans: progress.spans, unmatched: unmatched, wakeAt: clamped(next))
        }
    }

    private mutating func decide(at now: Instant) -> Action {
        if now >= deadline {
            return progress.spans == 0 ? finish(.timedOut) : finish(.spans(reason: Self.timedOutWithSpansReason))
        }
        guard let last = lastArrival else { return .wait(until: deadline) }
        let quietAt = max(last.advanced(by: settings.retryDelay), retryAt ?? last)
        guard now >= quietAt else { return .wait(until: clamped(quietAt)) }
        // Only the trigger span so far: the system under test has not sent anything yet.
        guard progress.hasApplicationSpans else { return .wait(until: deadline) }
        if progress.missingParents > 0 {
            let graceEnds = last.advanced(by: settings.parentGracePeriod)
            guard now >= graceEnds else { return .wait(until: clamped(graceEnds)) }
        }
        guard settings.checksSelectors else { return finish(.spans(reason: Self.completeReason)) }
        return .checkSelectors
    }

    private mutating func finish(_ finish: Finish) -> Action {
        finished = true
        return .finish(finish, iterations: iterations)
    }

    private func clamped(_ instant: Instant) -> Instant { min(instant, deadline) }
}
