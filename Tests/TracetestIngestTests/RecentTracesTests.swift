import Testing
import TracetestModel

@testable import TracetestIngest

/// The buffer of traces no run waits for: bounded by spans, bytes and age; least recently updated first.
@Suite("Recent traces buffer")
struct RecentTracesTests {
    static func span(_ id: UInt64, padding: Int = 0) -> Span {
        Span(
            id: SpanID(id), name: "s",
            attributes: padding > 0 ? ["padding": String(repeating: "x", count: padding)] : [:])
    }

    @Test("over maxBytes, the least recently updated traces go first, down to 90 % of the limit")
    func bytes() {
        let now = ContinuousClock.now
        let spanBytes = Self.span(1, padding: 10_000).approximateBytes
        var recent = RecentTraces(maxSpans: 1_000, maxBytes: spanBytes * 10, maxAge: .seconds(60))
        let traces = (0..<12).map { _ in TraceID.random() }
        for (index, traceID) in traces.enumerated() {
            _ = recent.add([Self.span(1, padding: 10_000)], of: traceID, now: now + .milliseconds(index))
            // The first trace is updated again: it is no longer the least recently updated.
            if index == 5 { _ = recent.add([Self.span(2)], of: traces[0], now: now + .milliseconds(index)) }
        }
        #expect(recent.byteCount > recent.maxBytes)
        let dropped = recent.evictOverflow()
        #expect(recent.byteCount <= recent.maxBytes / 10 * 9)
        #expect(dropped == 12 + 1 - recent.spanCount)
        #expect(recent.spans(of: traces[0]) != nil, "updated recently")
        #expect(recent.spans(of: traces[1]) == nil && recent.spans(of: traces[2]) == nil, "the oldest went first")
        #expect(recent.spans(of: traces[11]) != nil)
    }

    @Test("over maxSpans, traces are dropped the same way; counts follow additions, replacements and removals")
    func spansAndAccounting() {
        let now = ContinuousClock.now
        var recent = RecentTraces(maxSpans: 10, maxBytes: 1 << 30, maxAge: .seconds(60))
        let first = TraceID.random()
        _ = recent.add((1...4).map { Self.span($0) }, of: first, now: now)
        let bytes = recent.byteCount
        // The same span id again replaces the span: one span, its new size.
        _ = recent.add([Self.span(4, padding: 1_000)], of: first, now: now)
        #expect(recent.spanCount == 4)
        #expect(
            recent.byteCount == bytes - Self.span(4).approximateBytes + Self.span(4, padding: 1_000).approximateBytes)
        let second = TraceID.random()
        _ = recent.add((1...8).map { Self.span($0) }, of: second, now: now + .seconds(1))
        #expect(recent.evictOverflow() == 4)
        #expect(recent.spans(of: first) == nil && recent.spanCount == 8)
        #expect(recent.remove(second)?.count == 8)
        #expect(recent.spanCount == 0 && recent.byteCount == 0 && recent.traceCount == 0)
        #expect(recent.evictOverflow() == 0)
    }

    @Test("traces not updated within maxAge expire, the others stay")
    func age() {
        let now = ContinuousClock.now
        var recent = RecentTraces(maxSpans: 100, maxBytes: 1 << 30, maxAge: .seconds(60))
        let (old, refreshed, young) = (TraceID.random(), TraceID.random(), TraceID.random())
        _ = recent.add([Self.span(1)], of: old, now: now)
        _ = recent.add([Self.span(1)], of: refreshed, now: now)
        _ = recent.add([Self.span(1)], of: young, now: now + .seconds(30))
        _ = recent.add([Self.span(2)], of: refreshed, now: now + .seconds(40))
        recent.expireAll(now: now + .seconds(61))
        #expect(recent.spans(of: old) == nil)
        #expect(recent.spans(of: refreshed)?.count == 2 && recent.spans(of: young) != nil)
        recent.expire(young, now: now + .seconds(91))
        #expect(recent.spans(of: young) == nil && recent.spans(of: refreshed) != nil)
        recent.expireAll(now: now + .seconds(101))
        #expect(recent.traceCount == 0 && recent.spanCount == 0)
    }
}
