import Logging
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestIngest
import TracetestModel
import TracetestStorage

@testable import TracetestEngine

/// The trace waiter driven by a test clock over a real span store: time passes only when the test says so, so waits of
/// seconds take none.
@Suite("Trace waiter")
struct TraceWaiterTests {
    static let traceID = TraceID(high: 0xAB, low: 0xCD)
    static let parent = SpanID(0x100)

    /// A waiter for a run whose trigger fired now, with the default polling profile, and the store it reads.
    static func withWaiter(
        _ body: (SpanStore, TestClock, @escaping @Sendable () async throws -> TraceWaiter.Outcome) async throws -> Void
    ) async throws {
        try await withTestDatabase(.sqlite) { database in
            let logger = Logger(label: "trace-waiter-tests")
            let store = Store(database: database)
            try await store.migrate(logger: logger)
            let spans = SpanStore(
                repository: SpanRepository(database: database), settings: RecentTracesSettings(), logger: logger)
            let clock = TestClock()
            var started = TestRun(id: 1, testID: "waits", testVersion: 1, traceID: traceID)
            started.serviceTriggeredAt = .now()
            let run = started
            let arrivals = await spans.arrivals(of: traceID)
            try await spans.expect(traceID)
            let waiter = TraceWaiter(
                spans: spans, recorder: RunRecorder(store: store, updates: RunUpdates(), clock: clock, logger: logger),
                run: run, profile: PollingProfile.defaultProfile.periodic!, selectors: [], control: RunControl())
            try await body(spans, clock) {
                var polling = PollingSpans(pipeline: PipelineTelemetry(telemetry: .disabled), run: run, parent: .root)
                return try await waiter.wait(arrivals: arrivals, clock: clock, polling: &polling)
            }
        }
    }

    static func span(_ id: UInt64, parent: SpanID? = nil) -> Span {
        Span(id: SpanID(id), parentID: parent, name: "span \(id)", startTimeUnixNano: 1, endTimeUnixNano: 2)
    }

    static func spanCount(_ outcome: TraceWaiter.Outcome) -> Int? {
        guard case .trace(let spans, _, _, _) = outcome else { return nil }
        return spans.count
    }

    @Test("a parent that comes 3 s after its children completes the trace a quiet window later")
    func parentArrivesLater() async throws {
        try await Self.withWaiter { spans, clock, wait in
            try await withThrowingTaskGroup(of: (TraceWaiter.Outcome, Duration).self) { group in
                group.addTask { (try await wait(), clock.now.offset) }
                await clock.waitForSleepers(1)  // the deadline
                try await spans.ingest(
                    SpanBatch(traces: [(Self.traceID, [Self.span(1, parent: Self.parent)])]), via: .http)
                await clock.waitForSleepers(2)  // and the quiet window after the arrival
                clock.advance(by: .milliseconds(500))
                await clock.waitForSleepers(2)  // quiet, but a parent is missing: the grace period
                clock.advance(by: .milliseconds(2_500))
                try await spans.ingest(SpanBatch(traces: [(Self.traceID, [Self.span(0x100)])]), via: .http)
                await clock.waitForSleepers(3)  // the quiet window after the parent
                clock.advance(by: .milliseconds(500))
                let (outcome, finishedAt) = try #require(try await group.next())
                #expect(Self.spanCount(outcome) == 2)
                #expect(finishedAt == .milliseconds(3_500))
            }
        }
    }

    @Test("a parent that never comes is given up on after the 6 s grace period, not before")
    func parentNeverArrives() async throws {
        try await Self.withWaiter { spans, clock, wait in
            try await withThrowingTaskGroup(of: (TraceWaiter.Outcome, Duration).self) { group in
                group.addTask { (try await wait(), clock.now.offset) }
                await clock.waitForSleepers(1)
                try await spans.ingest(
                    SpanBatch(traces: [(Self.traceID, [Self.span(1, parent: Self.parent)])]), via: .http)
                await clock.waitForSleepers(2)
                clock.advance(by: .milliseconds(500))
                await clock.waitForSleepers(2)
                clock.advance(by: .milliseconds(5_400))
                clock.advance(by: .milliseconds(100))
                let (outcome, finishedAt) = try #require(try await group.next())
                #expect(Self.spanCount(outcome) == 1)
                #expect(finishedAt == .seconds(6), "not before the grace period ended")
            }
        }
    }
}
