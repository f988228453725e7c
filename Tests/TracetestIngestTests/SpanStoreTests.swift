import Foundation
import Logging
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig
import TracetestIngest
import TracetestModel
import TracetestStorage

func spans(_ count: Int, from first: UInt64 = 1) -> [Span] {
    (0..<count).map { Span(id: SpanID(first + UInt64($0)), name: "s\($0)") }
}

func batch(_ traceID: TraceID, _ spans: [Span]) -> SpanBatch {
    SpanBatch(traces: [(traceID, spans)], rejectedSpans: 0, rejectionReason: nil)
}

@Suite("Span store")
struct SpanStoreTests {
    func withStore<R>(
        _ backend: TestBackend = .sqlite, maxSpans: Int, maxAge: GoDuration,
        _ body: (SpanStore, SpanRepository, any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await withTestDatabase(backend) { database in
            try await Store(database: database).migrate(logger: testDatabaseLogger())
            let repository = SpanRepository(database: database)
            let store = SpanStore(
                repository: repository, settings: RecentTracesSettings(maxSpans: maxSpans, maxAge: maxAge),
                logger: Logger(label: "test"))
            return try await body(store, repository, database)
        }
    }

    @Test("a full buffer drops the least recently updated traces first")
    func overflow() async throws {
        try await withStore(maxSpans: 100, maxAge: .seconds(300)) { store, _, _ in
            let (old, middle, new) = (TraceID.random(), TraceID.random(), TraceID.random())
            try await store.ingest(batch(old, spans(40)), via: .grpc)
            try await store.ingest(batch(middle, spans(40)), via: .grpc)
            try await store.ingest(batch(old, spans(1, from: 500)), via: .http)
            try await store.ingest(batch(new, spans(40)), via: .grpc)
            #expect(try await store.spans(of: middle).isEmpty, "least recently updated")
            #expect(try await store.spans(of: old).count == 41)
            #expect(try await store.spans(of: new).count == 40)
        }
    }

    @Test("buffered traces are gone once older than the maximum age, without further arrivals")
    func ageWithoutArrivals() async throws {
        try await withStore(maxSpans: 1_000, maxAge: .milliseconds(100)) { store, repository, _ in
            let (read, expected) = (TraceID.random(), TraceID.random())
            try await store.ingest(batch(read, spans(5)), via: .grpc)
            try await store.ingest(batch(expected, spans(3)), via: .http)
            #expect(try await store.spans(of: read).count == 5)
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await store.spans(of: read).isEmpty)
            try await store.expect(expected)
            #expect(try await repository.spans(of: expected).isEmpty, "expired spans are not moved to storage")
            #expect(try await store.spans(of: expected).isEmpty)
        }
    }

    @Test("buffered traces expire after the maximum age")
    func age() async throws {
        try await withStore(maxSpans: 1_000, maxAge: .milliseconds(100)) { store, _, _ in
            let expiring = TraceID.random()
            try await store.ingest(batch(expiring, spans(5)), via: .grpc)
            try await Task.sleep(for: .milliseconds(1_100))
            try await store.ingest(batch(.random(), spans(1)), via: .grpc)
            #expect(try await store.spans(of: expiring).isEmpty)
        }
    }

    @Test(
        "spans are merged by span id, a later arrival replacing an earlier one; expected traces are appended",
        arguments: TestBackend.allCases)
    func mergeAndAppend(backend: TestBackend) async throws {
        try await withStore(backend, maxSpans: 1_000, maxAge: .seconds(300)) { store, repository, database in
            let traceID = TraceID.random()
            try await store.expect(traceID)
            try await store.ingest(batch(traceID, spans(3)), via: .grpc)
            var renamed = spans(1, from: 2)
            renamed[0].name = "renamed"
            try await store.ingest(batch(traceID, renamed), via: .http)
            let stored = try await repository.spans(of: traceID)
            #expect(stored.map(\.name) == ["s0", "renamed", "s2"])
            #expect(try await store.spans(of: traceID).map(\.name) == ["s0", "renamed", "s2"])
            let rows = try await database.read { db in
                try await db.query("SELECT COUNT(*) AS n FROM otlp_span_batches").first?.int("n")
            }
            #expect(rows == 2, "one row per arrival, none rewritten")
            await store.forget(traceID)
            #expect(try await store.spans(of: traceID).count == 3, "what was stored stays readable")
        }
    }

    @Test("a trace two runs wait for is stored until both forgot it")
    func sharedExpectation() async throws {
        try await withStore(maxSpans: 1_000, maxAge: .seconds(300)) { store, repository, _ in
            let traceID = TraceID.random()
            try await store.expect(traceID)
            try await store.expect(traceID)
            await store.forget(traceID)
            try await store.ingest(batch(traceID, spans(2)), via: .grpc)
            #expect(try await repository.spans(of: traceID).count == 2, "the second run still waits")
            await store.forget(traceID)
            try await store.ingest(batch(traceID, spans(1, from: 10)), via: .grpc)
            #expect(try await repository.spans(of: traceID).count == 2, "no run waits: buffered, not stored")
            await store.forget(traceID)
            try await store.expect(traceID)
            #expect(try await store.spans(of: traceID).count == 3, "expected again: stored and buffered spans")
        }
    }

    @Test(
        "spans of an awaited trace that arrive while the database is down reach the run and are written when it is back"
    )
    func databaseOutage() async throws {
        let database = try await TestPostgresDatabase.create()
        var settings = database.settings
        // How long a write waits before the database counts as unavailable: short for the outage, long enough for a
        // busy test run.
        settings.connectionWait = .seconds(5)
        let postgres = PostgresDatabase(settings: settings, logger: testDatabaseLogger())
        try await withRunning(postgres) {
            try await Store(database: postgres).migrate(logger: testDatabaseLogger())
            let repository = SpanRepository(database: postgres)
            let store = SpanStore(
                repository: repository, settings: RecentTracesSettings(maxSpans: 1_000, maxAge: .seconds(300)),
                logger: Logger(label: "test"))
            let (awaited, other) = (TraceID.random(), TraceID.random())
            try await store.expect(awaited)
            try await store.ingest(batch(awaited, spans(2)), via: .grpc)

            try await database.allowConnections(false)
            try await store.ingest(batch(awaited, spans(3, from: 10)), via: .grpc)
            try await store.ingest(batch(awaited, spans(1, from: 20)), via: .http)
            try await store.ingest(batch(other, spans(4)), via: .http)
            #expect(try await store.spans(of: awaited).count == 6, "held spans count as received")
            #expect(try await store.spans(of: other).count == 4)
            // The run breaks off (its step meets the outage) and forgets the trace; held spans stay.
            await store.forget(awaited)

            try await database.allowConnections(true)
            try await Task.sleep(for: .seconds(1.1))  // past the retry delay
            try await untilAnswering(postgres)
            try await store.expect(awaited)  // the run resumes
            #expect(try await store.spans(of: awaited).count == 6)
            #expect(Set(try await repository.spans(of: awaited).map(\.id.value)) == [1, 2, 10, 11, 12, 20])
        }
        try await database.drop()
    }

    private func untilAnswering(_ database: PostgresDatabase) async throws {
        for _ in 0..<60 {
            if (try? await database.read { try await $0.execute("SELECT 1") }) != nil { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("the database did not answer again within 30 s")
    }
}
