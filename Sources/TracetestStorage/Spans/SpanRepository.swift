import TracetestModel

/// Spans received for the traces runs wait for. Each arrival is appended as one row (a trace that arrives in many
/// batches is never rewritten whole); reads merge the rows by span id, later arrivals winning.
public struct SpanRepository: Sendable {
    let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Appends one batch of spans of `traceID`.
    public func append(_ spans: [Span], to traceID: TraceID, now: Timestamp = .now()) async throws {
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
    public func spans(of traceID: TraceID) async throws -> [Span] {
        let rows = try await database.read { db in
            try await db.query(
                "SELECT spans FROM otlp_span_batches WHERE trace_id = $1 ORDER BY id", [.text(traceID.hex)])
        }
        var spans: [Span] = []
        var positions: [SpanID: Int] = [:]
        for row in rows {
            for span in try SpanCodec.decode(try row.bytes("spans")) {
                if let position = positions[span.id] {
                    spans[position] = span
                } else {
                    positions[span.id] = spans.count
                    spans.append(span)
                }
            }
        }
        return spans
    }

    /// Removes what is stored for `traceID`.
    public func delete(_ traceID: TraceID) async throws {
        try await database.transaction { db in
            try await db.execute("DELETE FROM otlp_span_batches WHERE trace_id = $1", [.text(traceID.hex)])
        }
    }
}
