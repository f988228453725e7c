/// The `sqlite` section: the embedded database used when PostgreSQL is not configured.
public struct SQLiteSettings: Sendable, Equatable {
    /// `sqlite.path`: the database file; a relative path is relative to the working directory.
    public var path: String

    public init(path: String = "tracetest.db") {
        self.path = path
    }
}
