import Synchronization
import TracetestModel

#if canImport(Glibc)
    import Glibc
#endif

/// The identity of a span as it propagates: in a task (``TelemetryContext``) and in W3C trace-context headers.
struct SpanContext: Sendable, Equatable {
    var traceID: TraceID
    var spanID: SpanID
    var isSampled: Bool
    var traceState: String
    /// A span started in this process that records (not a parent propagated from elsewhere).
    var isLocalRecording: Bool

    /// Reads a W3C `traceparent` (version 00 or later, lower-case hex, ids not all zero); nil when malformed.
    init?(traceparent: String, tracestate: String?) {
        let fields = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].utf8.count == 2, fields[0] != "ff", fields[3].utf8.count == 2,
            fields[0].allSatisfy(\.isHexDigit), fields[0] != "00" || fields.count == 4,
            fields[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            fields[2].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            let traceID = TraceID(hex: fields[1]), traceID.isValid,
            let spanID = SpanID(hex: fields[2]), spanID.isValid,
            let flags = UInt8(fields[3], radix: 16)
        else { return nil }
        self.init(
            traceID: traceID, spanID: spanID, isSampled: flags & 1 == 1, traceState: tracestate ?? "",
            isLocalRecording: false)
    }

    init(traceID: TraceID, spanID: SpanID, isSampled: Bool, traceState: String, isLocalRecording: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.isSampled = isSampled
        self.traceState = traceState
        self.isLocalRecording = isLocalRecording
    }

    var traceparent: String { "00-\(traceID.hex)-\(spanID.hex)-\(isSampled ? "01" : "00")" }

    /// The context of the span running in this task, if any.
    @TaskLocal static var current: SpanContext?
}

/// Which traces are recorded: by trace id, so every span of a trace gets the same decision (OpenTelemetry's
/// `TraceIdRatioBased`: the last 8 bytes of the id, shifted right by one, below `ratio` × 2⁶³).
struct TraceSampler: Sendable, Equatable {
    /// `.max`: every trace.
    let bound: UInt64

    /// `percent` of traces, 0…100.
    init(percent: Double) {
        let ratio = min(max(percent / 100, 0), 1)
        bound = ratio >= 1 ? .max : UInt64(ratio * 0x1p63)
    }

    func isSampled(_ traceID: TraceID) -> Bool {
        bound == .max || traceID.low >> 1 < bound
    }
}

/// Wall-clock time in nanoseconds since the Unix epoch, as OTLP carries it.
func nanosecondsSinceEpoch() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// A span that ended, as it is queued for export.
struct FinishedSpan: Sendable {
    struct Event: Sendable {
        var name: String
        var time: UInt64
        var attributes: [String: TelemetryAttributeValue]
    }

    var context: SpanContext
    var parentSpanID: SpanID?
    var name: String
    var kind: TelemetrySpanKind
    var start: UInt64
    var end: UInt64
    var attributes: [String: TelemetryAttributeValue]
    var events: [Event]
    /// nil: unset; otherwise an error with this message.
    var errorMessage: String?
}

/// A span being recorded: what is set on it is kept under a lock until it ends, then it goes to its queue as a
/// ``FinishedSpan`` without waking any task (the exporter takes the queue on its own schedule).
final class RecordingSpan: Sendable {
    private let state: Mutex<FinishedSpan?>
    private let queue: SpanQueue
    let context: SpanContext

    init(
        name: String, kind: TelemetrySpanKind, context: SpanContext, parentSpanID: SpanID?, queue: SpanQueue,
        start: UInt64 = nanosecondsSinceEpoch()
    ) {
        self.context = context
        self.queue = queue
        state = Mutex(
            FinishedSpan(
                context: context, parentSpanID: parentSpanID, name: name, kind: kind, start: start, end: start,
                attributes: [:], events: [], errorMessage: nil))
    }

    /// Changes the span unless it has ended.
    func update(_ change: (inout FinishedSpan) -> Void) {
        state.withLock { span in
            guard span != nil else { return }
            change(&span!)
        }
    }

    /// Ends the span and queues it; later calls do nothing.
    func end(at time: UInt64 = nanosecondsSinceEpoch()) {
        guard
            var finished = state.withLock({ span in
                defer { span = nil }; return span
            })
        else { return }
        finished.end = max(time, finished.start)
        queue.append(finished)
    }
}

/// The spans that ended and wait for export, at most `capacity`; a span that does not fit is dropped and counted.
final class SpanQueue: Sendable {
    private struct State {
        var spans: [FinishedSpan] = []
        var dropped = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func append(_ span: FinishedSpan) {
        state.withLock { state in
            if state.spans.count < capacity {
                state.spans.append(span)
            } else {
                state.dropped += 1
            }
        }
    }

    /// Takes up to `limit` spans, oldest first, and the number dropped since the last call.
    func take(upTo limit: Int) -> (spans: [FinishedSpan], dropped: Int) {
        state.withLock { state in
            defer { state.dropped = 0 }
            if state.spans.count <= limit {
                defer { state.spans = [] }
                return (state.spans, state.dropped)
            }
            let batch = Array(state.spans.prefix(limit))
            state.spans.removeFirst(limit)
            return (batch, state.dropped)
        }
    }

    /// The number of spans dropped since the last call (or ``take(upTo:)``).
    func takeDropped() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

}

/// Starts spans of one exporter: ids, the sampling decision, and the queue their ends go to.
struct SpanRecorder: Sendable {
    let sampler: TraceSampler
    let queue: SpanQueue

    /// A span named `name` under `parent` (nil: a new trace); nil when its trace is not sampled.
    func start(_ name: String, kind: TelemetrySpanKind, parent: SpanContext?) -> RecordingSpan? {
        let traceID = parent?.traceID ?? .random()
        guard sampler.isSampled(traceID) else { return nil }
        let context = SpanContext(
            traceID: traceID, spanID: .random(), isSampled: true, traceState: parent?.traceState ?? "",
            isLocalRecording: true)
        return RecordingSpan(
            name: name, kind: kind, context: context, parentSpanID: parent?.spanID, queue: queue)
    }
}
