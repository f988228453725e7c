import NIOCore
import SQLiteNIO

/// Runs statements on one SQLite connection.
struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection

    var dialect: SQLDialect { .sqlite }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await run(sql, binds)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await run(sql, binds)
    }

    /// The one place every SQLite statement goes through.
    private func run(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let (rewritten, highest) = SQLitePlaceholders.rewrite(sql)
        guard highest == binds.count else { throw Self.bindMismatch(sql, highest: highest, bound: binds.count) }
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(rewritten, binds.map(Self.sqliteData))
        } catch let error as SQLiteError {
            throw Self.storageError(error, sql: sql)
        }
        return try rows.map { row in
            SQLRow(try row.columns.map { column in (column.name, try Self.value(column, sql: sql)) })
        }
    }

    private static func sqliteData(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .integer(let integer): .integer(SQLiteInt64(integer))
        case .real(let real): .float(real)
        case .text(let text): .text(text)
        case .bool(let bool): .integer(bool ? 1 : 0)
        case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
        }
    }

    private static func value(_ column: SQLiteColumn, sql: String) throws -> SQLValue {
        switch column.data {
        case .null: return .null
        case .integer(let integer): return .integer(Int64(integer))
        case .float(let real): return .real(real)
        case .text(let text): return .text(text)
        case .blob(let buffer): return .blob(Array(buffer.readableBytesView))
        }
    }

    static func storageError(_ error: SQLiteError, sql: String) -> StorageError {
        let code: StorageError.Code =
            switch error.reason {
            case .constraintPrimaryKeyFailed, .constraintUniqueFailed: .uniqueViolation
            case .constraint, .constraintCheckFailed, .constraintForeignKeyFailed, .constraintNotNullFailed,
                .constraintTriggerFailed:
                .constraintViolation
            default: .statementFailed
            }
        return StorageError(code, "SQLite: \(error.message) (\(error.reason))", sql: sql)
    }

    private static func bindMismatch(_ sql: String, highest: Int, bound: Int) -> StorageError {
        StorageError(
            .bindMismatch, "the statement uses placeholders up to $\(highest) but \(bound) values were bound", sql: sql)
    }
}
