import TracetestIngest
import TracetestLanguage
import TracetestModel

/// Waits for a run's trace on the built-in OTLP store, driven by span arrivals rather than fixed sleeps
/// (DECISIONS.md): every arrival is an iteration; the trace is complete when spans other than the trigger's arrived,
/// none arrived for `retryDelay`, and every parent is present (or `3 × retryDelay` passed since the last arrival);
/// then up to `selectorMatchRetries` more quiet windows while some spec selector matches nothing. `timeout`, counted
/// from the trigger, bounds it all.
struct TraceWaiter {
    let spans: SpanStore
    let recorder: RunRecorder
    let profile: PollingProfile.Periodic
    let selectors: [String]
    let skip: SkipRequests

    enum Outcome {
        /// Polling ended with these spans (possibly none when skipped).
        case trace([Span], reason: String, skipped: Bool, iterations: Int)
        /// No span arrived before the timeout.
        case timedOut
    }

    enum Event: Sendable {
        case arrival(SpanStore.Arrival)
        case tick
        case skip
    }

    /// - Parameters:
    ///   - arrivals: subscribed before the trigger fired, so no arrival is missed.
    ///   - polling: records each iteration's `Fetching trace` and `Evaluating trace` spans.
    func wait(
        for run: TestRun, arrivals: AsyncStream<SpanStore.Arrival>, polling: inout PollingSpans
    ) async throws -> Outcome {
        let retryDelay = (try? GoDuration(parsing: profile.retryDelay).duration) ?? .milliseconds(500)
        let timeout = (try? GoDuration(parsing: profile.timeout).duration) ?? .seconds(60)
        let clock = ContinuousClock()
        let elapsed = Duration.microseconds(
            max(0, Timestamp.now().microsecondsSinceEpoch - run.serviceTriggeredAt.microsecondsSinceEpoch))
        let deadline = clock.now + timeout - elapsed

        let (events, feed) = AsyncStream.makeStream(of: Event.self)
        let pumps = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await arrival in arrivals { feed.yield(.arrival(arrival)) } }
                group.addTask { for await _ in skip.stream { feed.yield(.skip) } }
            }
        }
        var timer: Task<Void, Never>?
        defer {
            pumps.cancel()
            timer?.cancel()
        }
        func schedule(_ instant: ContinuousClock.Instant) {
            timer?.cancel()
            timer = Task {
                try? await Task.sleep(until: min(instant, deadline), clock: clock)
                if !Task.isCancelled { feed.yield(.tick) }
            }
        }

        // Only counts are kept between decisions: holding the spans would make every arrival copy the whole trace
        // in the store (its spans are shared copy-on-write).
        var count = try await spans.spans(of: run.traceID).count
        var lastArrival: ContinuousClock.Instant? = count == 0 ? nil : clock.now
        var iterations = 0
        var selectorRetries = 0
        schedule(lastArrival.map { $0 + retryDelay } ?? deadline)
        if skip.isRequested { feed.yield(.skip) }

        for await event in events {
            try Task.checkCancellation()
            switch event {
            case .skip:
                let reason = "Trace Collection Skipped"
                let current = try await spans.spans(of: run.traceID)
                polling.evaluated(polling.fetching(), spans: current.count, finished: true, reason: reason)
                return .trace(current, reason: reason, skipped: true, iterations: iterations)
            case .arrival(let arrival):
                await recorder.emit(
                    .otlpServerReceivedSpans, run,
                    description: "\(arrival.newSpans) span(s) received; the trace has \(arrival.totalSpans)",
                    title: "\(arrival.transport.rawValue) OTLP server endpoint received spans")
                let iteration = polling.fetching()
                count = arrival.totalSpans
                polling.evaluated(iteration, spans: count, finished: false, reason: "New spans found")
                lastArrival = clock.now
                iterations += 1
                await recorder.emit(
                    .pollingIterationInfo, run,
                    description:
                        "Trace polling iteration executed. Reason: new spans found, waiting for the trace to settle",
                    polling: .init(isComplete: false, numberSpans: count, numberIterations: iterations))
                schedule(clock.now + retryDelay)
            case .tick:
                let now = clock.now
                if now >= deadline {
                    guard count > 0 else {
                        polling.failure(spans: 0, error: "timeout")
                        return .timedOut
                    }
                    let current = try await spans.spans(of: run.traceID)
                    let reason = "Timed out while waiting for more spans"
                    polling.evaluated(polling.fetching(), spans: current.count, finished: true, reason: reason)
                    return .trace(current, reason: reason, skipped: false, iterations: iterations)
                }
                guard let last = lastArrival else {
                    schedule(deadline)
                    continue
                }
                guard now - last >= retryDelay else {
                    schedule(last + retryDelay)
                    continue
                }
                let current = try await spans.spans(of: run.traceID)
                guard hasApplicationSpans(current, of: run) else {
                    schedule(deadline)
                    continue
                }
                guard parentsPresent(current, of: run) || now - last >= retryDelay * 3 else {
                    schedule(last + retryDelay * 3)
                    continue
                }
                let iteration = polling.fetching()
                let unmatched = unmatchedSelectors(current, of: run)
                if unmatched.isEmpty {
                    let reason = "The trace is complete and every selector matched"
                    polling.evaluated(iteration, spans: current.count, finished: true, reason: reason)
                    return .trace(current, reason: reason, skipped: false, iterations: iterations)
                }
                guard selectorRetries < profile.selectorMatchRetries else {
                    let reason = "Some selectors never matched a span, giving up: \(unmatched.joined(separator: ", "))"
                    polling.evaluated(iteration, spans: current.count, finished: true, reason: reason)
                    return .trace(current, reason: reason, skipped: false, iterations: iterations)
                }
                polling.evaluated(
                    iteration, spans: current.count, finished: false,
                    reason: "not all selectors got matching spans in the trace")
                selectorRetries += 1
                iterations += 1
                await recorder.emit(
                    .pollingIterationInfo, run,
                    description:
                        "Trace polling iteration executed. Reason: not all selectors got matching spans in the trace",
                    polling: .init(isComplete: false, numberSpans: current.count, numberIterations: iterations))
                schedule(now + retryDelay)
            }
        }
        throw CancellationError()
    }

    /// Spans other than the run's own trigger span.
    private func hasApplicationSpans(_ spans: [Span], of run: TestRun) -> Bool {
        spans.contains { $0.id != run.spanID }
    }

    /// Whether every span's parent is in the trace or is the trigger span.
    private func parentsPresent(_ spans: [Span], of run: TestRun) -> Bool {
        let ids = Set(spans.map(\.id))
        return spans.allSatisfy { span in
            guard let parent = span.parentID else { return true }
            return parent == run.spanID || ids.contains(parent)
        }
    }

    /// The spec selectors that select nothing in the trace as it would be rooted now.
    private func unmatchedSelectors(_ spans: [Span], of run: TestRun) -> [String] {
        guard !selectors.isEmpty else { return [] }
        let index = TraceIndex(TriggerRoot.trace(for: run, spans: spans))
        return selectors.filter { text in
            guard let selector = try? Selector.cached(text) else { return false }
            return selector.select(in: index).isEmpty
        }
    }
}

/// "Stop waiting for more spans" requests for one run (`POST .../skipPolling`).
final class SkipRequests: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let requested = Flag()

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var isRequested: Bool { requested.value }

    func request() {
        requested.set()
        continuation.yield()
    }
}
