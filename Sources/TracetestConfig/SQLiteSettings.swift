/// The `sqlite` section: the embedded database used when PostgreSQL is not configured.
package struct SQLiteSettings: Sendable, Equatable {
    /// `sqlite.path`: the database file; a relative path is relative to the working directory.
    package var path: String

    package init(path: String = "tracetest.db") {
        self.path = path
    }
}
