import TracetestModel

/// The `summary` of tests and suites: how many runs, and the time and pass/fail counts of the newest.
enum RunSummaries {
    /// Summaries for every id in `ids` (ids without runs get an empty summary).
    static func fetch(table: String, ownerColumn: String, ids: [String], in db: any SQLExecutor) async throws
        -> [String: Summary]
    {
        let placeholders = (1...ids.count).map { "$\($0)" }.joined(separator: ", ")
        let binds = ids.map(SQLValue.text)
        let rows = try await db.query(
            """
            SELECT r.\(ownerColumn) AS owner, r.id AS run_id, r.created_at, r.pass, r.fail,
                (SELECT COUNT(*) FROM \(table) c WHERE c.\(ownerColumn) = r.\(ownerColumn)) AS runs
            FROM \(table) r
            WHERE r.\(ownerColumn) IN (\(placeholders))
              AND r.created_at = (SELECT MAX(m.created_at) FROM \(table) m WHERE m.\(ownerColumn) = r.\(ownerColumn))
            ORDER BY r.id
            """,
            binds
        )
        var summaries = Dictionary(ids.map { ($0, Summary()) }, uniquingKeysWith: { first, _ in first })
        for row in rows {
            summaries[try row.string("owner")] = Summary(
                runs: try row.int("runs"),
                lastRun: .init(
                    time: try row.timestamp("created_at"), passes: try row.int("pass"), fails: try row.int("fail"))
            )
        }
        return summaries
    }
}
