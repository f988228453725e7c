import Testing

@testable import TracetestEngine

/// The polling machine for stores that are asked for the trace: scripted fetch outcomes in, decisions out.
@Suite("Store polling") struct StorePollingTests {
    static let settings = StorePolling.Settings(maxIterations: 10, selectorMatchRetries: 2, checksSelectors: true)

    /// Feeds `fetches` in order (answering selector checks with `selectorsMatch`) and returns every decision.
    static func decisions(
        _ fetches: [StorePolling.Fetch], settings: StorePolling.Settings = settings,
        selectorsMatch: (Int) -> Bool = { _ in true }
    ) -> [StorePolling.Decision] {
        var machine = StorePolling(settings: settings)
        var checks = 0
        var result: [StorePolling.Decision] = []
        for fetch in fetches {
            var decision = machine.fetched(fetch)
            if decision == .checkSelectors {
                result.append(decision)
                decision = machine.selectorsChecked(allMatch: selectorsMatch(checks))
                checks += 1
            }
            result.append(decision)
            if case .retry = decision { continue }
            break
        }
        return result
    }

    static func spans(_ count: Int, timedOut: Bool = false) -> StorePolling.Fetch {
        .spans(count: count, applicationSpans: true, timedOut: timedOut)
    }

    @Test("not found keeps polling until the timeout, then times out")
    func notFound() {
        #expect(
            Self.decisions([.notFound(timedOut: false), .notFound(timedOut: false), .notFound(timedOut: true)]) == [
                .retry(reason: "trace not found on data store"), .retry(reason: "trace not found on data store"),
                .timedOut,
            ])
    }

    @Test("the trace is complete after two fetches with the same spans and every selector matching")
    func settles() {
        #expect(
            Self.decisions([Self.spans(2), Self.spans(5), Self.spans(5)]) == [
                .retry(reason: "First iteration"), .retry(reason: "New spans found"), .checkSelectors,
                .finish(reason: "All selectors from the test matched at least one span in the trace"),
            ])
    }

    @Test("selectors that match nothing get selectorMatchRetries more fetches, then the trace is taken as it is")
    func selectorRetries() {
        let decisions = Self.decisions(
            [Self.spans(3), Self.spans(3), Self.spans(3), Self.spans(3)], selectorsMatch: { _ in false })
        #expect(decisions.filter { $0 == .checkSelectors }.count == 2)
        #expect(
            decisions.last
                == .finish(
                    reason: "Trace has no new spans. Spans found: 3; some selectors matched no span after 2 retries"))
    }

    @Test(
        "only the trigger span, or new spans, is not complete; max iterations and the timeout end it with what is there"
    )
    func limits() {
        let triggerOnly = StorePolling.Fetch.spans(count: 1, applicationSpans: false, timedOut: false)
        #expect(
            Self.decisions([triggerOnly, triggerOnly]) == [
                .retry(reason: "First iteration"), .retry(reason: "New spans found"),
            ])
        let growing = (1...3).map { Self.spans($0) }
        let capped = Self.decisions(
            growing, settings: .init(maxIterations: 3, selectorMatchRetries: 0, checksSelectors: false))
        #expect(capped.last == .finish(reason: "Hit MaxRetry of 3"))
        #expect(
            Self.decisions([Self.spans(1), Self.spans(2, timedOut: true)]).last
                == .finish(reason: "Timed out while waiting for more spans"))
    }

    @Test("without selectors, the first settled fetch finishes")
    func withoutSelectors() {
        let settings = StorePolling.Settings(maxIterations: 10, selectorMatchRetries: 3, checksSelectors: false)
        #expect(
            Self.decisions([Self.spans(4), Self.spans(4)], settings: settings).last
                == .finish(reason: "Trace has no new spans. Spans found: 4"))
    }
}
