/// Runs statements on one connection. Both backends take `$1`, `$2` … placeholders, which may be reused and
/// appear in any order; the number of values bound must equal the highest placeholder.
///
/// Every statement of the storage layer passes through `query` or `execute`, so a decorator can observe them all.
package protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }

    /// Runs a statement and returns its rows.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]

    /// Runs a statement and discards any rows.
    func execute(_ sql: String, _ binds: [SQLValue]) async throws
}

extension SQLExecutor {
    /// Runs a statement with no bound values and returns its rows.
    package func query(_ sql: String) async throws -> [SQLRow] {
        try await query(sql, [])
    }

    /// Runs a statement with no bound values.
    package func execute(_ sql: String) async throws {
        try await execute(sql, [])
    }
}

/// A SQLite or PostgreSQL database: reads on pooled connections, writes in transactions.
package protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` on a connection for reads, outside any explicit transaction; reads may run concurrently with
    /// each other and with a transaction. The executor must not be used after `body` returns.
    func read<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R

    /// Runs `body` in one transaction: commits when it returns, rolls back when it throws and rethrows the body's
    /// error unchanged. On PostgreSQL a failed statement aborts the transaction, so do not catch and carry on
    /// (use `ON CONFLICT` instead); the commit then fails with ``StorageError/Code/transactionAborted``.
    func transaction<R: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> R) async throws -> R
}
