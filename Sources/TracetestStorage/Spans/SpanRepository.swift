import Foundation
import TracetestConcurrency
import TracetestModel

/// Spans received for the traces runs wait for. Each arrival is appended as one row (a trace that arrives in many
/// batches is never rewritten whole); reads merge the rows by span id, later arrivals winning.
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
        let rows = try await database.read { db in
            try await db.query(
                "SELECT span_count, spans FROM otlp_span_batches WHERE trace_id = $1 ORDER BY id",
                [.text(traceID.hex)])
        }
        let batches = try rows.map { try $0.bytes("spans") }
        let total = try rows.reduce(0) { $0 + (try $1.int("span_count")) }
        return try await ComputePool.shared.run { try Self.merge(batches, total: total) }
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

    /// Removes what is stored for `traceID`.
    package func delete(_ traceID: TraceID) async throws {
        try await database.transaction { db in
            try await db.execute("DELETE FROM otlp_span_batches WHERE trace_id = $1", [.text(traceID.hex)])
        }
    }
}
