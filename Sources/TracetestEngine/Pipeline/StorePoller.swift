import TracetestModel
import TracetestTraceSources

/// Polls a trace store for a run's trace every `retryDelay`, feeding each fetch to a ``StorePolling`` and carrying
/// out its decisions (events, polling spans, selector checks). A store that cannot be reached or answers wrongly ends
/// the wait at once with the reason; "not found" (or "slow down") keeps polling until the profile's timeout.
struct StorePoller {
    let source: any TraceSource
    let recorder: RunRecorder
    let run: TestRun
    let profile: PollingProfile.Periodic
    let selectors: [String]
    let control: RunControl

    enum Outcome {
        case trace([Span], reason: String, skipped: Bool, iterations: Int)
        case timedOut
        /// The store failed: why.
        case failed(String)
    }

    func poll<C: Clock>(clock: C, polling: inout PollingSpans) async throws -> Outcome where C.Duration == Duration {
        let (retryDelay, timeout) = (profile.retryDelayDuration, profile.timeoutDuration)
        let deadline = clock.now.advanced(by: timeout - run.sinceTrigger)
        let ratio = timeout / max(retryDelay, .milliseconds(1))
        var machine = StorePolling(
            settings: .init(
                maxIterations: max(1, Int(ratio.rounded(.up))), selectorMatchRetries: profile.selectorMatchRetries,
                checksSelectors: !selectors.isEmpty))
        var spans: [Span] = []
        while true {
            let iteration = polling.fetching()
            var decision: StorePolling.Decision
            do {
                spans = try await source.trace(run.traceID)
                decision = machine.fetched(
                    .spans(
                        count: spans.count, applicationSpans: spans.contains { $0.id != run.spanID },
                        timedOut: clock.now >= deadline))
            } catch  where error.kind == .notFound || error.kind == .rateLimited {
                spans = []
                decision = machine.fetched(.notFound(timedOut: clock.now >= deadline))
            } catch {
                polling.evaluated(iteration, spans: 0, finished: true, reason: error.message)
                return .failed(error.message)
            }
            if decision == .checkSelectors {
                let unmatched = await TraceWaiter.unmatched(selectors, in: spans, of: run)
                decision = machine.selectorsChecked(allMatch: unmatched.isEmpty)
            }
            switch decision {
            case .finish(let reason):
                polling.evaluated(iteration, spans: spans.count, finished: true, reason: reason)
                do {
                    spans = try await source.completed(spans, of: run.traceID)
                } catch {
                    return .failed(error.message)
                }
                return .trace(spans, reason: reason, skipped: false, iterations: machine.iterations)
            case .timedOut:
                polling.evaluated(iteration, spans: 0, finished: true, reason: "timeout")
                return .timedOut
            case .retry(let reason):
                polling.evaluated(iteration, spans: spans.count, finished: false, reason: reason)
                await recorder.emit(
                    .pollingIterationInfo, run, description: "Trace polling iteration executed. Reason: \(reason)",
                    polling: .init(isComplete: false, numberSpans: spans.count, numberIterations: machine.iterations))
            case .checkSelectors:
                break  // answered above
            }
            if try await sleepOrSkip(until: clock.now.advanced(by: retryDelay), clock: clock) {
                let reason = "Trace Collection Skipped"
                return .trace(spans, reason: reason, skipped: true, iterations: machine.iterations)
            }
        }
    }

    /// Sleeps until `instant`; true when a skip was requested first.
    private func sleepOrSkip<C: Clock>(until instant: C.Instant, clock: C) async throws -> Bool
    where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            defer { group.cancelAll() }
            group.addTask {
                try await clock.sleep(until: instant, tolerance: nil)
                return false
            }
            group.addTask {
                for await _ in control.skips() { return true }
                return false
            }
            while let skipped = try await group.next() {
                if skipped || !Task.isCancelled { return skipped }
            }
            throw CancellationError()
        }
    }
}
