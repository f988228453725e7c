/// The SQL flavour a database speaks; repositories branch on it only where the two backends differ.
package enum SQLDialect: String, Sendable, CaseIterable {
    case sqlite
    case postgresql

    /// The `db.system` telemetry name: `sqlite` or `postgresql`.
    package var systemName: String { rawValue }

    /// The case-insensitive pattern match operator: `LIKE` (SQLite, ASCII only) or `ILIKE` (PostgreSQL).
    package var caseInsensitiveLike: String {
        switch self {
        case .sqlite: "LIKE"
        case .postgresql: "ILIKE"
        }
    }
}
