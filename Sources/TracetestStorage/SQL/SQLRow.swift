/// One result row: column values by name, in select order.
package struct SQLRow: Sendable, Equatable {
    /// The columns in select order.
    package let columns: [(name: String, value: SQLValue)]

    package init(_ columns: [(name: String, value: SQLValue)]) {
        self.columns = columns
    }

    package static func == (lhs: SQLRow, rhs: SQLRow) -> Bool {
        lhs.columns.elementsEqual(rhs.columns) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The value of `column`, or `.null` when the row has no such column (use the typed accessors to catch typos).
    package subscript(_ column: String) -> SQLValue {
        columns.first { $0.name == column }?.value ?? .null
    }

    /// The text in `column`; throws if it is missing, NULL or not text.
    package func string(_ column: String) throws -> String {
        guard let value = try optionalString(column) else { throw nullError(column, expected: "text") }
        return value
    }

    /// The text in `column`, or nil when it is NULL.
    package func optionalString(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        case let other: throw mismatch(column, expected: "text", found: other)
        }
    }

    /// The integer in `column`; a real with no fractional part (e.g. a PostgreSQL `numeric` sum) is accepted.
    package func int64(_ column: String) throws -> Int64 {
        guard let value = try optionalInt64(column) else { throw nullError(column, expected: "integer") }
        return value
    }

    /// The integer in `column`, or nil when it is NULL.
    package func optionalInt64(_ column: String) throws -> Int64? {
        switch try value(column) {
        case .null: return nil
        case .integer(let integer): return integer
        case .real(let real):
            guard let integer = Int64(exactly: real) else {
                throw mismatch(column, expected: "integer", found: .real(real))
            }
            return integer
        case let other: throw mismatch(column, expected: "integer", found: other)
        }
    }

    /// The integer in `column` as an `Int`.
    package func int(_ column: String) throws -> Int {
        Int(try int64(column))
    }

    /// The boolean in `column`: a PostgreSQL boolean or a SQLite integer 0 or 1.
    package func bool(_ column: String) throws -> Bool {
        switch try value(column) {
        case .bool(let bool): return bool
        case .integer(0): return false
        case .integer(1): return true
        case .null: throw nullError(column, expected: "bool")
        case let other: throw mismatch(column, expected: "bool", found: other)
        }
    }

    /// The bytes in `column` (a BLOB or `bytea`).
    package func bytes(_ column: String) throws -> [UInt8] {
        switch try value(column) {
        case .blob(let bytes): return bytes
        case .null: throw nullError(column, expected: "blob")
        case let other: throw mismatch(column, expected: "blob", found: other)
        }
    }

    /// The number in `column`; integers are converted.
    package func double(_ column: String) throws -> Double {
        switch try value(column) {
        case .real(let real): return real
        case .integer(let integer): return Double(integer)
        case .null: throw nullError(column, expected: "real")
        case let other: throw mismatch(column, expected: "real", found: other)
        }
    }

    private func value(_ column: String) throws -> SQLValue {
        guard let found = columns.first(where: { $0.name == column }) else {
            let names = columns.map(\.name).joined(separator: ", ")
            throw StorageError(.columnMissing, "result has no column '\(column)' (columns: \(names))")
        }
        return found.value
    }

    private func nullError(_ column: String, expected: String) -> StorageError {
        StorageError(.typeMismatch, "column '\(column)' is NULL, expected \(expected)")
    }

    private func mismatch(_ column: String, expected: String, found: SQLValue) -> StorageError {
        StorageError(.typeMismatch, "column '\(column)' holds \(found.kind), expected \(expected)")
    }
}
