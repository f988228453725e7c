import TracetestModel

/// Spans of traces no run waits for yet, bounded by span count, by bytes and by age; pure bookkeeping, no I/O. The
/// least recently updated trace goes first, in amortized constant time: every arrival queues the trace again, and
/// the queue's stale places are skipped when reached.
struct RecentTraces {
    let maxSpans: Int
    let maxBytes: Int
    let maxAge: Duration

    private struct Entry {
        var spans: SpanSet
        var lastArrival: ContinuousClock.Instant
        /// Its place in `order`: earlier places of the trace are stale.
        var turn: UInt64
    }

    private var traces: [TraceID: Entry] = [:]
    private var order: [(traceID: TraceID, turn: UInt64)] = []
    private var head = 0
    private var turns: UInt64 = 0
    private(set) var spanCount = 0
    private(set) var byteCount = 0

    init(maxSpans: Int, maxBytes: Int, maxAge: Duration) {
        self.maxSpans = maxSpans
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    var traceCount: Int { traces.count }

    func spans(of traceID: TraceID) -> SpanSet? { traces[traceID]?.spans }

    /// Adds spans of the trace arrived `now`; returns what the trace holds then.
    mutating func add(_ spans: [Span], of traceID: TraceID, now: ContinuousClock.Instant) -> SpanSet {
        var entry = traces[traceID] ?? Entry(spans: SpanSet(), lastArrival: now, turn: 0)
        let (count, bytes) = (entry.spans.count, entry.spans.bytes)
        entry.spans.merge(spans)
        spanCount += entry.spans.count - count
        byteCount += entry.spans.bytes - bytes
        entry.lastArrival = now
        turns += 1
        entry.turn = turns
        order.append((traceID, turns))
        traces[traceID] = entry
        return entry.spans
    }

    /// Takes the trace out (a run now waits for it), or puts back one taken out.
    mutating func remove(_ traceID: TraceID) -> SpanSet? {
        guard let entry = traces.removeValue(forKey: traceID) else { return nil }
        spanCount -= entry.spans.count
        byteCount -= entry.spans.bytes
        return entry.spans
    }

    /// Drops the trace if it is older than the maximum age at `now`.
    mutating func expire(_ traceID: TraceID, now: ContinuousClock.Instant) {
        if let entry = traces[traceID], now - entry.lastArrival > maxAge { _ = remove(traceID) }
    }

    /// Drops every trace older than the maximum age at `now` (the oldest are first in the queue).
    mutating func expireAll(now: ContinuousClock.Instant) {
        while let oldest = oldest(), now - oldest.entry.lastArrival > maxAge { drop(oldest.traceID) }
    }

    /// When over a limit, drops the least recently updated traces until both are at 90 % of their limits; how many
    /// spans it dropped.
    mutating func evictOverflow() -> Int {
        guard spanCount > maxSpans || byteCount > maxBytes else { return 0 }
        let (spanTarget, byteTarget) = (maxSpans / 10 * 9, maxBytes / 10 * 9)
        var dropped = 0
        while spanCount > spanTarget || byteCount > byteTarget, let oldest = oldest() {
            dropped += oldest.entry.spans.count
            drop(oldest.traceID)
        }
        return dropped
    }

    /// The least recently updated trace, skipping (and then compacting away) the queue's stale places.
    private mutating func oldest() -> (traceID: TraceID, entry: Entry)? {
        defer {
            // The queue keeps at most twice the places it needs.
            if head > 1024, head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
        while head < order.count {
            let place = order[head]
            if let entry = traces[place.traceID], entry.turn == place.turn { return (place.traceID, entry) }
            head += 1
        }
        return nil
    }

    /// Drops the oldest trace (the one ``oldest()`` returned).
    private mutating func drop(_ traceID: TraceID) {
        _ = remove(traceID)
        head += 1
    }
}
