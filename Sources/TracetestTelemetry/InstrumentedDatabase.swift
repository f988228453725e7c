import TracetestStorage

/// A database whose statements make CLIENT spans (`exec INSERT`, `query SELECT`, with `sql.query` and `db.system`)
/// under the span active in the task. A statement run with no span of this server active makes none, so the
/// database never starts a trace of its own (migrations, background work).
package struct InstrumentedDatabase: SQLDatabase {
    /// The database the statements run on.
    package let base: any SQLDatabase
    let tracer: InternalTracer

    package init(_ base: any SQLDatabase, tracer: InternalTracer) {
        self.base = base
        self.tracer = tracer
    }

    package var dialect: SQLDialect { base.dialect }

    package func read<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        guard tracer.isEnabled else { return try await base.read(body) }
        let tracer = tracer
        return try await base.read { executor in try await body(InstrumentedExecutor(base: executor, tracer: tracer)) }
    }

    package func transaction<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R {
        guard tracer.isEnabled else { return try await base.transaction(body) }
        let tracer = tracer
        return try await base.transaction { executor in
            try await body(InstrumentedExecutor(base: executor, tracer: tracer))
        }
    }
}

struct InstrumentedExecutor: SQLExecutor {
    let base: any SQLExecutor
    let tracer: InternalTracer

    var dialect: SQLDialect { base.dialect }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        guard tracer.hasActiveSpan else { return try await base.query(sql, binds) }
        return try await tracer.withSpan(
            SpanName.database(returnsRows: true, sql: sql), kind: .client, attributes: attributes(sql)
        ) { _ in try await base.query(sql, binds) }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        guard tracer.hasActiveSpan else { return try await base.execute(sql, binds) }
        try await tracer.withSpan(
            SpanName.database(returnsRows: false, sql: sql), kind: .client, attributes: attributes(sql)
        ) { _ in try await base.execute(sql, binds) }
    }

    private func attributes(_ sql: String) -> [String: TelemetryAttributeValue] {
        [AttributeKey.Database.query: .string(sql), AttributeKey.Database.system: .string(dialect.systemName)]
    }
}
