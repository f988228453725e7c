import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Runs statements on one leased PostgreSQL connection.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    /// Inside a transaction: remembers the first failed statement, after which the server ignores the rest.
    let failure: TransactionFailure?

    var dialect: SQLDialect { .postgresql }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await run(sql, binds, readingRows: true)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws {
        _ = try await run(sql, binds, readingRows: false)
    }

    /// The one place every PostgreSQL statement goes through.
    private func run(_ sql: String, _ binds: [SQLValue], readingRows: Bool) async throws -> [SQLRow] {
        do {
            let result = try await answer(to: Self.query(sql, binds), sql: sql)
            guard readingRows else { return [] }
            return try result.rows.map { row in
                SQLRow(try row.map { ($0.columnName, try PostgresValues.value(of: $0)) })
            }
        } catch let error as PSQLError {
            let storageError = PostgresErrors.storageError(error, sql: sql)
            failure?.record(storageError)
            throw storageError
        }
    }

    /// The server's answer to `query`. postgres-nio never completes a statement written to a connection whose
    /// close it has already handled (the handlers that would fail it are gone), so the statement is written on the
    /// connection's event loop, and only while the connection is open: a close after that fails it.
    private func answer(to query: PostgresQuery, sql: String) async throws -> PostgresQueryResult {
        let (connection, logger) = (connection, logger)
        do {
            return try await connection.eventLoop.flatSubmit {
                guard !connection.isClosed else {
                    return connection.eventLoop.makeFailedFuture(
                        StorageError(.unreachable, "PostgreSQL connection failed: the connection closed", sql: sql))
                }
                return connection.query(query, logger: logger)
            }.get()
        } catch let error as StorageError {
            failure?.record(error)
            throw error
        }
    }

    private static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(UntypedText(value: text))
            case .bool(let bool): bindings.append(bool)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

/// The first error of a transaction, shared by the executor and the transaction that commits.
final class TransactionFailure: Sendable {
    private let first = Mutex<StorageError?>(nil)

    func record(_ error: StorageError) {
        first.withLock { $0 = $0 ?? error }
    }

    var error: StorageError? { first.withLock { $0 } }
}

/// Text sent without a declared type, so the server infers it from the statement as it would for a literal.
private struct UntypedText: PostgresDynamicTypeEncodable {
    var value: String

    var psqlType: PostgresDataType { .null }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeString(value)
    }
}
