import Foundation
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
        var spans: [Span] = []
        var positions: [SpanID: Int] = [:]
        let total = try rows.reduce(0) { $0 + (try $1.int("span_count")) }
        spans.reserveCapacity(total)
        positions.reserveCapacity(total)
        for decoded in try await Self.decode(batches) {
            for span in decoded {
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

    /// Decodes the batches on every core, in order.
    private static func decode(_ batches: [[UInt8]]) async throws -> [[Span]] {
        let parts = min(batches.count, ProcessInfo.processInfo.activeProcessorCount)
        guard parts > 1 else { return try batches.map(SpanCodec.decode) }
        return try await withThrowingTaskGroup(of: (Int, [[Span]]).self) { group in
            for part in 0..<parts {
                let range = (batches.count * part / parts)..<(batches.count * (part + 1) / parts)
                group.addTask { (part, try batches[range].map(SpanCodec.decode)) }
            }
            var decoded = [[[Span]]](repeating: [], count: parts)
            for try await (part, spans) in group { decoded[part] = spans }
            return decoded.flatMap { $0 }
        }
    }

    /// Removes what is stored for `traceID`.
    package func delete(_ traceID: TraceID) async throws {
        try await database.transaction { db in
            try await db.execute("DELETE FROM otlp_span_batches WHERE trace_id = $1", [.text(traceID.hex)])
        }
    }
}
