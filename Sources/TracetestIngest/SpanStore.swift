import Logging
import TracetestConcurrency
import TracetestConfig
import TracetestModel
import TracetestStorage

/// The built-in trace store. Spans of traces a run waits for ("expected" traces) are stored in the database and
/// kept in memory for fast reads; spans of other traces wait in a bounded buffer of recent traces, so a run
/// created a moment after its spans arrived still finds them. Subscribers hear about every arrival.
package actor SpanStore {
    /// How spans reached the receiver.
    package enum Transport: String, Sendable {
        case grpc = "gRPC"
        case http = "HTTP"
        /// Received by another server of the shared database.
        case peer = "another server"
    }

    /// New spans for a trace.
    package struct Arrival: Sendable {
        package var traceID: TraceID
        package var newSpans: Int
        package var transport: Transport
        /// The trace as it is after the arrival.
        package var progress: TraceProgress

        package var totalSpans: Int { progress.spanCount }
    }

    /// How far a trace has arrived: how many spans, and which parents its spans name that have not arrived.
    package struct TraceProgress: Sendable, Equatable {
        package var spanCount: Int
        package var missingParents: Set<SpanID>
        /// Up to two of its span ids (enough to tell whether it has a span other than a given one).
        package var someSpanIDs: [SpanID]

        package init(spanCount: Int, missingParents: Set<SpanID>, someSpanIDs: [SpanID]) {
            self.spanCount = spanCount
            self.missingParents = missingParents
            self.someSpanIDs = someSpanIDs
        }

        /// Whether the trace has a span whose id is not `id`.
        package func hasSpan(otherThan id: SpanID) -> Bool {
            spanCount >= 2 || someSpanIDs.contains { $0 != id }
        }
    }

    /// Receiver traffic since the last reset, for `GET /api/config/connection/otlp`.
    package struct Statistics: Sendable, Equatable {
        package var spanCount: Int
        package var lastSpanTime: Timestamp?
    }

    private let repository: SpanRepository
    private let clock = ContinuousClock()
    private let logger: Logger

    private var expected: [TraceID: SpanSet] = [:]
    /// How many runs wait for each expected trace (several runs can share a trace id, e.g. a trace-id trigger run
    /// again while the earlier run finishes).
    private var waiters: [TraceID: Int] = [:]
    private var recent: RecentTraces
    private var lastSweep: ContinuousClock.Instant
    private let subscribers = Broadcast<TraceID, Arrival>()
    private var statistics = Statistics(spanCount: 0, lastSpanTime: nil)
    /// The other servers of a shared PostgreSQL database, and which traces each of them waits for, since when.
    private let peers: Peers?
    private var awaitedElsewhere: [TraceID: [String: ContinuousClock.Instant]] = [:]
    /// Spans of awaited traces that the database could not take (it was unavailable). They count as received (runs
    /// read them) and are written, in arrival order, on an arrival or read after `unsaved.retryAt`.
    private var unsaved = UnsavedSpans()
    /// How long another server's wait for a trace is believed without its end: a server that died never says
    /// "forgotten" (a run it waited for is taken over by a server that says "awaited" again).
    static let maxAwaitedElsewhere = Duration.seconds(3_600)

    /// The servers of one PostgreSQL database share spans over the `tracetest_spans` channel: a server announces
    /// the traces it starts and stops waiting for, and the spans it stores of a trace another server waits for.
    package struct Peers: Sendable {
        static let channel = "tracetest_spans"
        package let database: PostgresDatabase
        /// This server's name among them.
        package let name: String

        package init(database: PostgresDatabase, name: String) {
            self.database = database
            self.name = name
        }
    }

    /// - Parameter peers: the other servers of a shared database, nil when this server is alone.
    package init(repository: SpanRepository, settings: RecentTracesSettings, logger: Logger, peers: Peers? = nil) {
        self.repository = repository
        self.recent = RecentTraces(
            maxSpans: settings.maxSpans, maxBytes: settings.maxBytes, maxAge: settings.maxAge.duration)
        self.logger = logger
        self.lastSweep = clock.now
        self.peers = peers
    }

    /// Counts the batch for the connection check (whatever happens to it next).
    package func count(_ batch: SpanBatch) {
        statistics.spanCount += batch.spanCount
        if batch.spanCount > 0 { statistics.lastSpanTime = .now() }
    }

    package func currentStatistics() -> Statistics { statistics }

    /// Spans stored so far of traces no run waited for (a run that times out compares it with its value at the
    /// trigger: spans that came meanwhile for unknown traces suggest an application that does not propagate).
    package private(set) var unexpectedSpanCount = 0

    package func resetStatistics() { statistics = Statistics(spanCount: 0, lastSpanTime: nil) }

    /// Stores the spans of expected traces and buffers the others; then tells subscribers.
    package func ingest(_ batch: SpanBatch, via transport: Transport) async throws {
        sweepIfDue()
        for (traceID, spans) in batch.traces {
            let progress: TraceProgress
            if expected[traceID] != nil {
                // Into memory first: what is stored is always in memory too (see `forget`).
                expected[traceID]?.merge(spans)
                try await save(spans, of: traceID)
                progress = expected[traceID]?.progress ?? SpanSet(spans).progress
                if awaitedElsewhere[traceID] != nil { await announce("stored", traceID) }
            } else if awaitedElsewhere[traceID] != nil {
                // Another server's run waits for it: stored for that server to read.
                try await repository.append(spans, to: traceID)
                progress = SpanSet(spans).progress
                await announce("stored", traceID)
            } else {
                progress = buffer(spans, of: traceID)
                unexpectedSpanCount += spans.count
            }
            notify(Arrival(traceID: traceID, newSpans: spans.count, transport: transport, progress: progress))
        }
        evictOverflow()
    }

    /// Marks `traceID` as awaited by a run: spans already buffered for it move to storage, and later ones are
    /// stored as they arrive, until every run that expected it has called ``forget(_:)``.
    package func expect(_ traceID: TraceID) async throws {
        sweepIfDue()
        expireIfStale(traceID)
        await saveUnsavedIfDue()
        guard expected[traceID] == nil else {
            waiters[traceID, default: 0] += 1
            return
        }
        waiters[traceID] = 1
        // From here on, arrivals for the trace go to storage (and into this set) while earlier ones are loaded.
        expected[traceID] = SpanSet()
        let buffered = recent.remove(traceID)
        do {
            let stored = try await storedSpans(of: traceID)
            if let buffered { try await repository.append(buffered.all, to: traceID) }
            var spans = SpanSet()
            spans.merge(stored)
            spans.merge(buffered?.all ?? [])
            spans.merge(expected[traceID]?.all ?? [])
            // Unless every waiting run forgot the trace meanwhile.
            if waiters[traceID] != nil { expected[traceID] = spans }
            await announce("awaited", traceID)
        } catch {
            expected[traceID] = nil
            waiters[traceID] = nil
            if let buffered { _ = recent.add(buffered.all, of: traceID, now: clock.now) }
            throw error
        }
    }

    /// One run no longer waits for `traceID`; once none does, its spans are no longer stored (what was stored
    /// stays). Without a matching ``expect(_:)`` it does nothing.
    /// - Parameter savedSpans: how many of the trace's spans the run saved as its final trace. When that is every
    ///   span received, and no other run waits for the trace, its arrival rows are deleted: the trace is then read
    ///   from the run's saved trace (``SpanRepository/compact(_:)``).
    package func forget(_ traceID: TraceID, savedSpans: Int? = nil) async {
        guard let count = waiters[traceID] else { return }
        if count > 1 {
            waiters[traceID] = count - 1
            return
        }
        let received = expected[traceID]?.count
        waiters[traceID] = nil
        expected[traceID] = nil
        await announce("forgotten", traceID)
        guard let savedSpans, savedSpans == received, awaitedElsewhere[traceID] == nil else { return }
        do {
            try await repository.compact(traceID)
        } catch {
            logger.warning("cannot compact the stored spans of trace \(traceID.hex) (they stay stored twice): \(error)")
        }
    }

    /// Every span received for `traceID`, one per span id.
    package func spans(of traceID: TraceID) async throws -> [Span] {
        sweepIfDue()
        expireIfStale(traceID)
        if let spans = expected[traceID] { return spans.all }
        if let buffered = recent.spans(of: traceID) { return buffered.all }
        return try await storedSpans(of: traceID)
    }

    /// How far `traceID` has arrived (as ``spans(of:)`` reads it).
    package func progress(of traceID: TraceID) async throws -> TraceProgress {
        sweepIfDue()
        expireIfStale(traceID)
        if let spans = expected[traceID] { return spans.progress }
        if let buffered = recent.spans(of: traceID) { return buffered.progress }
        return SpanSet(try await storedSpans(of: traceID)).progress
    }

    /// Arrivals of spans for `traceID` from now on, until the listener is closed or its consumer stops listening.
    package func arrivals(of traceID: TraceID) -> Broadcast<TraceID, Arrival>.Listener {
        subscribers.listen(traceID)
    }

    // MARK: Database outages

    /// Spans of awaited traces held while the database is unavailable, and when to try writing them again.
    struct UnsavedSpans {
        private(set) var traces: [TraceID: SpanSet] = [:]
        /// The traces in the order their first held spans arrived, the order they are written in.
        private(set) var order: [TraceID] = []
        /// Taken for writing and not written yet (readable until written).
        private var writing: [TraceID: SpanSet] = [:]
        var retryAt: ContinuousClock.Instant?
        var retryDelay = Duration.seconds(1)

        /// Whether nothing is held or being written: new spans may go straight to the database.
        var isEmpty: Bool { traces.isEmpty && writing.isEmpty }
        var isWriting: Bool { !writing.isEmpty }

        mutating func hold(_ spans: [Span], of traceID: TraceID) {
            if traces[traceID] == nil { order.append(traceID) }
            traces[traceID, default: SpanSet()].merge(spans)
        }

        /// Everything held for `traceID`, being written or not.
        func spans(of traceID: TraceID) -> [Span] {
            var spans = writing[traceID] ?? SpanSet()
            spans.merge(traces[traceID]?.all ?? [])
            return spans.all
        }

        /// Takes everything held, in order, for writing.
        mutating func takeForWriting() -> [(TraceID, SpanSet)] {
            let taken = order.compactMap { id in traces[id].map { (id, $0) } }
            writing.merge(traces) { $1 }
            (traces, order) = ([:], [])
            return taken
        }

        mutating func written(_ traceID: TraceID) {
            writing[traceID] = nil
        }

        /// Puts back what could not be written, ahead of what was held meanwhile (whose spans win).
        mutating func putBack(_ pending: some Collection<(TraceID, SpanSet)>) {
            let meanwhile = order.compactMap { id in traces[id].map { (id, $0) } }
            (traces, order, writing) = ([:], [], [:])
            for (traceID, spans) in pending { hold(spans.all, of: traceID) }
            for (traceID, spans) in meanwhile { hold(spans.all, of: traceID) }
        }
    }

    /// Writes spans of an awaited trace; while the database is unavailable, holds them to write later.
    private func save(_ spans: [Span], of traceID: TraceID) async throws {
        await saveUnsavedIfDue()
        guard unsaved.isEmpty else { return unsaved.hold(spans, of: traceID) }
        do {
            try await repository.append(spans, to: traceID)
        } catch let error as any TracetestError where error.category == .unavailable {
            logger.warning(
                "the database is unavailable (\(error)): spans of awaited traces are held in memory and written when it is back"
            )
            unsaved.hold(spans, of: traceID)
            unsaved.retryAt = clock.now + unsaved.retryDelay
        }
    }

    /// Writes the held spans when the retry time has come; on failure, waits twice as long (up to 10 s) next time.
    private func saveUnsavedIfDue() async {
        guard !unsaved.traces.isEmpty, !unsaved.isWriting, let retryAt = unsaved.retryAt, clock.now >= retryAt
        else { return }
        var written = 0
        while !unsaved.traces.isEmpty {
            var pending = unsaved.takeForWriting()[...]
            while let (traceID, spans) = pending.first {
                do {
                    try await repository.append(spans.all, to: traceID)
                } catch {
                    unsaved.putBack(pending)
                    unsaved.retryDelay = min(unsaved.retryDelay * 2, .seconds(10))
                    unsaved.retryAt = clock.now + unsaved.retryDelay
                    logger.warning(
                        "cannot write the held spans of \(unsaved.order.count) awaited traces yet (again in \(unsaved.retryDelay)): \(error)"
                    )
                    return
                }
                pending.removeFirst()
                unsaved.written(traceID)
                written += spans.count
                if awaitedElsewhere[traceID] != nil { await announce("stored", traceID) }
            }
        }
        unsaved.retryAt = nil
        unsaved.retryDelay = .seconds(1)
        logger.info("the database is back: wrote \(written) held spans of awaited traces")
    }

    /// What the database holds of `traceID`, with what is held for it while the database was unavailable.
    private func storedSpans(of traceID: TraceID) async throws -> [Span] {
        await saveUnsavedIfDue()
        let stored = try await repository.spans(of: traceID)
        let held = unsaved.spans(of: traceID)
        guard !held.isEmpty else { return stored }
        var spans = SpanSet(stored)
        spans.merge(held)
        return spans.all
    }

    // MARK: Other servers

    /// Until cancelled: hears what the other servers of the shared database say about traces (see ``Peers``).
    package func followPeers() async {
        await peers?.database.follow(Peers.channel) { payload in await self.hear(payload) }
    }

    private func hear(_ payload: String) async {
        guard let peers, let message = JSONParser.parse(payload), let what = message["w"]?.plainText,
            let traceID = TraceID(hex: message["t"]?.plainText ?? ""), let server = message["s"]?.plainText,
            server != peers.name
        else { return }
        do {
            switch what {
            case "awaited":
                awaitedElsewhere[traceID, default: [:]][server] = clock.now
                // What came here before that server's run existed goes to it through the database.
                if let buffered = recent.remove(traceID) {
                    try await repository.append(buffered.all, to: traceID)
                    await announce("stored", traceID)
                }
            case "forgotten":
                awaitedElsewhere[traceID]?[server] = nil
                if awaitedElsewhere[traceID]?.isEmpty == true { awaitedElsewhere[traceID] = nil }
            case "stored":
                // Another server stored spans of a trace a run here waits for.
                guard let known = expected[traceID] else { return }
                var spans = known
                spans.merge(try await repository.spans(of: traceID))
                guard expected[traceID] != nil, spans.count > known.count else { return }
                expected[traceID] = spans
                notify(
                    Arrival(
                        traceID: traceID, newSpans: spans.count - known.count, transport: .peer,
                        progress: spans.progress))
            default:
                return
            }
        } catch {
            logger.warning("cannot share the spans of trace \(traceID.hex) with the other servers: \(error)")
        }
    }

    /// Tells the other servers about `traceID`; a failure is logged (their runs then miss these spans).
    private func announce(_ what: String, _ traceID: TraceID) async {
        guard let peers else { return }
        do {
            try await peers.database.notify(Peers.channel, Self.payload(what, traceID, peers.name))
        } catch {
            logger.warning("cannot tell the other servers about trace \(traceID.hex): \(error)")
        }
    }

    private static func payload(_ what: String, _ traceID: TraceID, _ server: String) -> String {
        WireValue.object(["w": .string(what), "t": .string(traceID.hex), "s": .string(server)]).jsonText
    }

    private func notify(_ arrival: Arrival) {
        subscribers.publish(arrival, on: arrival.traceID)
    }

    /// Buffers spans of a trace no run waits for; returns how far the trace has arrived.
    private func buffer(_ spans: [Span], of traceID: TraceID) -> TraceProgress {
        recent.add(spans, of: traceID, now: clock.now).progress
    }

    /// Drops buffered traces older than the maximum age now (they are otherwise dropped on the next arrival or read).
    package func dropExpired() {
        sweepIfDue()
    }

    /// Drops the buffered spans of `traceID` if they are older than the maximum age, so a read never sees them even
    /// when the periodic sweep is not due.
    private func expireIfStale(_ traceID: TraceID) {
        recent.expire(traceID, now: clock.now)
    }

    /// Drops buffered traces older than the maximum age, and forgets other servers' waits believed too long, at
    /// most once a second (on arrivals and reads).
    private func sweepIfDue() {
        let now = clock.now
        guard now - lastSweep >= .seconds(1) else { return }
        lastSweep = now
        recent.expireAll(now: now)
        for (traceID, servers) in awaitedElsewhere {
            let current = servers.filter { now - $0.value < Self.maxAwaitedElsewhere }
            awaitedElsewhere[traceID] = current.isEmpty ? nil : current
        }
    }

    /// Drops the least recently updated buffered traces when the buffer is over a limit.
    private func evictOverflow() {
        let dropped = recent.evictOverflow()
        guard dropped > 0 else { return }
        logger.warning(
            "recent-traces buffer full: dropped \(dropped) spans of the least recently updated traces no run waits for (otlpServer.recentTraces.maxSpans = \(recent.maxSpans), maxBytes = \(recent.maxBytes))"
        )
    }
}

/// Spans of one trace, one per span id (a later arrival replaces an earlier one), in first-arrival order, with the
/// parents they name that have not arrived (a `Tracetest trigger` span's parent does not count).
struct SpanSet {
    private var spans: [Span] = []
    private var positions: [SpanID: Int] = [:]
    private var missingParents: Set<SpanID> = []
    /// Roughly what the spans take in memory (``Span/approximateBytes``).
    private(set) var bytes = 0

    init() {}

    init(_ spans: [Span]) {
        merge(spans)
    }

    var count: Int { spans.count }
    var all: [Span] { spans }

    var progress: SpanStore.TraceProgress {
        .init(spanCount: spans.count, missingParents: missingParents, someSpanIDs: spans.prefix(2).map(\.id))
    }

    mutating func merge(_ more: [Span]) {
        // Grows geometrically: reserving the exact count on every merge would copy the whole set each time.
        if spans.capacity < spans.count + more.count {
            spans.reserveCapacity(max(spans.count + more.count, spans.count * 2))
        }
        for span in more {
            bytes += span.approximateBytes
            if let position = positions[span.id] {
                bytes -= spans[position].approximateBytes
                spans[position] = span
            } else {
                positions[span.id] = spans.count
                spans.append(span)
                missingParents.remove(span.id)
            }
            // The `Tracetest trigger` span may name a parent that exists nowhere (DECISIONS.md): it is the root.
            if let parent = span.parentID, positions[parent] == nil, span.name != TracetestAttributes.triggerSpanName {
                missingParents.insert(parent)
            }
        }
    }
}
