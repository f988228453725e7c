import Foundation
import TracetestConcurrency
import TracetestModel

/// Spans received for the traces runs wait for. Each arrival is appended as one row (a trace that arrives in many
/// batches is never rewritten whole); reads merge the rows by span id, later arrivals winning. Once a run has saved
/// its final trace, the rows are deleted (``compact(_:)``): the trace is then read from the newest run that saved it,
/// with the rows of later arrivals over it.
package struct SpanRepository: Sendable {
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Appends one batch of spans of `traceID`.
    package func append(_ spans: [Span], to traceID: TraceID, now: Timestamp = .now()) async throws {
        guard !spans.isEmpty else { return }
        let encoded = SpanCodec.encode(spans)
        try await database.transaction { db in
            try await db.execute(
                "INSERT INTO otlp_span_batches (trace_id, received_at, span_count, spans) VALUES ($1, $2, $3, $4)",
                [.text(traceID.hex), SQLValue(now), .integer(Int64(spans.count)), .blob(encoded)]
            )
        }
    }

    /// Every span stored for `traceID`, one per span id, in first-arrival order.
    package func spans(of traceID: TraceID) async throws -> [Span] {
        let (saved, rows) = try await database.read { db in
            let saved = try await db.query(
                """
                SELECT t.spans FROM test_runs r
                JOIN test_run_traces t ON t.test_id = r.test_id AND t.run_id = r.id
                WHERE r.trace_id = $1 ORDER BY r.created_at DESC LIMIT 1
                """,
                [.text(traceID.hex)])
            let rows = try await db.query(
                "SELECT span_count, spans FROM otlp_span_batches WHERE trace_id = $1 ORDER BY id",
                [.text(traceID.hex)])
            return (saved, rows)
        }
        let batches = try (saved + rows).map { try $0.bytes("spans") }
        let total = try rows.reduce(0) { $0 + (try $1.int("span_count")) }
        return try await ComputePool.shared.run { try Self.merge(batches, total: total) }
    }

    /// Deletes the arrival rows of `traceID` stored until now, once a run has saved the trace as its final trace
    /// (which ``spans(of:)`` then reads): the spans are kept once rather than twice.
    package func compact(_ traceID: TraceID) async throws {
        try await database.transaction { db in
            let last = try await db.query(
                "SELECT MAX(id) AS last FROM otlp_span_batches WHERE trace_id = $1", [.text(traceID.hex)])
            guard let id = try last.first?.optionalInt64("last") else { return }
            try await db.execute(
                "DELETE FROM otlp_span_batches WHERE trace_id = $1 AND id <= $2", [.text(traceID.hex), .integer(id)])
        }
    }

    /// The spans of the batches, decoded in parallel, one per span id (a later batch's span replaces an earlier one).
    private static func merge(_ batches: [[UInt8]], total: Int) throws -> [Span] {
        let decoded = try ComputePool.shared.map(batches.count) { index in
            Result { try SpanCodec.decode(batches[index]) }
        }.map { try $0.get() }
        var spans: [Span] = []
        var positions: [SpanID: Int] = [:]
        spans.reserveCapacity(total)
        positions.reserveCapacity(total)
        for batch in decoded {
            for span in batch {
                if let position = positions.updateValue(spans.count, forKey: span.id) {
                    positions[span.id] = position
                    spans[position] = span
                } else {
                    spans.append(span)
                }
            }
        }
        return spans
    }
}
