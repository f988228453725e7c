/// Decides when a run's trace is complete on a store that is asked for it (Jaeger, Tempo, OpenSearch, ...), as
/// upstream's periodic strategy does, as a pure state machine: the outcome of each fetch in, the next step out.
///
/// The trace is complete when a fetch finds no new span since the one before, at least one span other than the
/// trigger's, and every spec selector matches (after `selectorMatchRetries` more fetches, it is complete anyway).
/// After `maxIterations` fetches or past the timeout, the spans found so far are the trace; with none, the run times
/// out.
struct StorePolling: Sendable {
    struct Settings: Sendable, Equatable {
        /// `ceil(timeout / retryDelay)`.
        var maxIterations: Int
        var selectorMatchRetries: Int
        var checksSelectors: Bool
    }

    enum Fetch: Sendable, Equatable {
        /// The store has no span of the trace (yet).
        case notFound(timedOut: Bool)
        /// `count` spans, whether one is not the trigger's, and whether the profile's timeout has passed.
        case spans(count: Int, applicationSpans: Bool, timedOut: Bool)
    }

    enum Decision: Sendable, Equatable {
        /// Fetch again after `retryDelay` (a `POLLING_ITERATION_INFO` with the reason).
        case retry(reason: String)
        /// Check the spec selectors on the spans fetched, then send ``StorePolling/selectorsChecked(allMatch:)``.
        case checkSelectors
        /// The spans fetched are the trace.
        case finish(reason: String)
        /// No span came before the timeout.
        case timedOut
    }

    let settings: Settings
    private(set) var iterations = 0
    private var previousCount: Int?
    private var selectorRetries = 0

    init(settings: Settings) {
        self.settings = settings
    }

    mutating func fetched(_ fetch: Fetch) -> Decision {
        iterations += 1
        switch fetch {
        case .notFound(let timedOut):
            previousCount = nil
            return timedOut ? .timedOut : .retry(reason: "trace not found on data store")
        case .spans(let count, let applicationSpans, let timedOut):
            defer { previousCount = count }
            if timedOut { return .finish(reason: "Timed out while waiting for more spans") }
            if iterations >= settings.maxIterations {
                return .finish(reason: "Hit MaxRetry of \(settings.maxIterations)")
            }
            guard let previous = previousCount else { return .retry(reason: "First iteration") }
            guard count == previous, applicationSpans else {
                selectorRetries = 0
                return .retry(reason: "New spans found")
            }
            let settled = "Trace has no new spans. Spans found: \(count)"
            guard settings.checksSelectors else { return .finish(reason: settled) }
            guard selectorRetries < settings.selectorMatchRetries else {
                return .finish(reason: "\(settled); some selectors matched no span after \(selectorRetries) retries")
            }
            return .checkSelectors
        }
    }

    mutating func selectorsChecked(allMatch: Bool) -> Decision {
        if allMatch { return .finish(reason: "All selectors from the test matched at least one span in the trace") }
        selectorRetries += 1
        return .retry(reason: "not all selectors got matching spans in the trace")
    }
}
