import TracetestModel

/// An error from the storage layer, with a machine-readable code and a message that says what to do.
package struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The database file or server could not be opened or created.
        case cannotOpen
        /// The database server could not be reached.
        case unreachable
        /// An insert or update hit a primary key or unique constraint.
        case uniqueViolation
        /// Any other constraint (foreign key, not null, check) rejected the statement.
        case constraintViolation
        /// The database rejected or failed the statement.
        case statementFailed
        /// The statement's `$n` placeholders do not match the number of values bound.
        case bindMismatch
        /// A statement failed inside a PostgreSQL transaction, so the server rolled the whole transaction back.
        case transactionAborted
        /// A result row has no column of the requested name.
        case columnMissing
        /// A result column holds a value of another type than requested.
        case typeMismatch
        /// The database schema was migrated by a newer version of tracetest.
        case schemaTooNew
        /// The list of migrations is malformed (a programming error).
        case invalidMigrations
        /// The database was closed.
        case closed
        /// A write of a run by a server that no longer holds the run's lease (another server took it over).
        case leaseLost
    }

    package var code: Code
    package var message: String
    /// The statement that failed, when there is one.
    package var sql: String?

    package init(_ code: Code, _ message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// Whether the statement violated a primary key or unique constraint, on either backend.
    package var isUniqueViolation: Bool { code == .uniqueViolation }

    package var description: String {
        guard let sql else { return message }
        let shown = sql.count > 300 ? String(sql.prefix(300)) + "…" : sql
        return "\(message) [statement: \(shown)]"
    }
}

extension Error {
    /// Whether this error is a ``StorageError`` for a primary key or unique constraint violation.
    package var isUniqueViolation: Bool {
        (self as? StorageError)?.isUniqueViolation ?? false
    }
}

extension StorageError: TracetestError {
    /// A database that cannot be reached (or was closed) is unavailable; anything else is the server's fault.
    package var category: ErrorCategory {
        switch code {
        case .unreachable, .closed, .cannotOpen: .unavailable
        default: .internalFailure
        }
    }

    package var clientMessage: String { message }
}
