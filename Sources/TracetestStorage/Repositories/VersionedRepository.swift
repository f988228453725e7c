import TracetestModel

/// A resource whose saves create versions: tests and test suites.
package protocol VersionedResource: ResourceSpec {
    var version: Int? { get set }
    var createdAt: Timestamp? { get set }
    /// Whether `other` differs in nothing a user edits.
    func hasSameDefinition(as other: Self) -> Bool
    var withoutReadOnlyFields: Self { get }
}

extension Test: VersionedResource {}
extension TestSuite: VersionedResource {}

/// How one versioned kind is laid out: its table, its columns and the rows that hang off it.
package protocol VersionedTable: Sendable {
    associatedtype Record: VersionedResource
    static var table: String { get }
    /// The columns `record(from:in:)` reads.
    static var columns: String { get }
    /// The runs table and its column naming the owner, for summaries and `last_run` ordering.
    static var runs: (table: String, ownerColumn: String) { get }
    /// Statements that remove what belongs to a deleted record; `$1` is its id.
    static var cleanup: [String] { get }
    static func insert(_ record: Record, version: Int, createdAt: Timestamp, in db: any SQLExecutor) async throws
    static func record(from row: SQLRow, in db: any SQLExecutor) async throws -> Record
}

/// Versioned records, one row per version; a change to the definition adds a version, an unchanged save adds nothing.
/// Every read returns the latest version unless a version is asked for.
package struct VersionedRepository<Table: VersionedTable>: Sendable {
    package typealias Record = Table.Record
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Stores `record` as version 1; the id must be new.
    package func create(_ record: Record, now: Timestamp = .now()) async throws -> Record {
        do {
            return try await database.transaction { db in try await Self.create(record, now: now, in: db) }
        } catch  where error.isUniqueViolation {
            throw RepositoryError.duplicateID(Record.kind, id: record.id)
        }
    }

    /// Stores `record` as version 1 inside an open transaction; the id must be new.
    package static func create(_ record: Record, now: Timestamp, in db: any SQLExecutor) async throws -> Record {
        try await lock(record.id, in: db)
        if try await latest(record.id, in: db) != nil {
            throw RepositoryError.duplicateID(Record.kind, id: record.id)
        }
        return try await insert(record, version: 1, createdAt: now, in: db)
    }

    /// Replaces the definition of an existing record; nil when there is none with that id.
    package func update(_ record: Record) async throws -> Record? {
        try await database.transaction { db in
            try await Self.lock(record.id, in: db)
            guard let latest = try await Self.latest(record.id, in: db) else { return nil }
            return try await Self.save(record, over: latest, in: db)
        }
    }

    /// Updates the record if it exists, creates it otherwise; `created` tells which happened.
    package func upsert(_ record: Record, now: Timestamp = .now()) async throws -> (record: Record, created: Bool) {
        try await retryingOnConflict {
            try await database.transaction { db in
                try await Self.lock(record.id, in: db)
                if let latest = try await Self.latest(record.id, in: db) {
                    return (try await Self.save(record, over: latest, in: db), false)
                }
                return (try await Self.insert(record, version: 1, createdAt: now, in: db), true)
            }
        }
    }

    /// The latest version, with `version` and `createdAt`.
    package func get(_ id: String) async throws -> Record? {
        try await database.read { db in try await Self.latest(id, in: db) }
    }

    /// One version of a record.
    package func get(_ id: String, version: Int) async throws -> Record? {
        try await database.read { db in
            let rows = try await db.query(
                "SELECT \(Table.columns) FROM \(Table.table) WHERE id = $1 AND version = $2",
                [.text(id), .integer(Int64(version))]
            )
            guard let row = rows.first else { return nil }
            return try await Table.record(from: row, in: db)
        }
    }

    /// The latest version of each record matching `query`; `sortBy` is `name`, `last_run` or creation time.
    package func list(_ query: ListQuery) async throws -> Page<Record> {
        let order: String
        switch query.sortBy {
        case "name": order = "name \(query.direction), id"
        case "last_run":
            let runs = Table.runs
            order = """
                COALESCE((SELECT MAX(r.created_at) FROM \(runs.table) r WHERE r.\(runs.ownerColumn) = \(Table.table).id), 0) \
                \(query.direction), id
                """
        default: order = "created_at \(query.direction), id"
        }
        return try await database.read { db in
            var filter = "is_latest"
            var binds: [SQLValue] = []
            if !query.query.isEmpty {
                let like = db.dialect.caseInsensitiveLike
                filter += " AND (name \(like) $1 OR description \(like) $1)"
                binds = [.text(query.likePattern)]
            }
            let page = try await db.page(
                "SELECT \(Table.columns) FROM \(Table.table) WHERE \(filter) ORDER BY \(order)",
                count: "SELECT COUNT(*) AS count FROM \(Table.table) WHERE \(filter)", binds, take: query.take,
                skip: query.skip)
            var records: [Record] = []
            for row in page.rows { records.append(try await Table.record(from: row, in: db)) }
            return Page(count: page.count, items: records)
        }
    }

    /// Removes every version and everything that belongs to the record; false when there was none.
    package func delete(_ id: String) async throws -> Bool {
        try await database.transaction { db in
            let deleted = try await db.query("DELETE FROM \(Table.table) WHERE id = $1 RETURNING version", [.text(id)])
            guard !deleted.isEmpty else { return false }
            for statement in Table.cleanup { try await db.execute(statement, [.text(id)]) }
            return true
        }
    }

    /// Run statistics per id: run count over all versions and the newest run's time and results.
    package func summaries(_ ids: [String]) async throws -> [String: Summary] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { db in
            try await RunSummaries.fetch(table: Table.runs.table, ownerColumn: Table.runs.ownerColumn, ids: ids, in: db)
        }
    }

    /// Serialises writers of one record until the transaction ends, so two saves cannot both add version N+1.
    /// (SQLite has a single writer already.)
    private static func lock(_ id: String, in db: any SQLExecutor) async throws {
        guard db.dialect == .postgresql else { return }
        try await db.execute("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(Table.table + "/" + id)])
    }

    private static func latest(_ id: String, in db: any SQLExecutor) async throws -> Record? {
        let rows = try await db.query(
            "SELECT \(Table.columns) FROM \(Table.table) WHERE id = $1 AND is_latest",
            [.text(id)]
        )
        guard let row = rows.first else { return nil }
        return try await Table.record(from: row, in: db)
    }

    /// Adds a version when the definition changed; returns what is stored.
    private static func save(_ record: Record, over latest: Record, in db: any SQLExecutor) async throws -> Record {
        guard !record.hasSameDefinition(as: latest), let version = latest.version, let createdAt = latest.createdAt
        else { return latest }
        try await db.execute(
            "UPDATE \(Table.table) SET is_latest = FALSE WHERE id = $1 AND is_latest", [.text(record.id)])
        return try await insert(record, version: version + 1, createdAt: createdAt, in: db)
    }

    private static func insert(_ record: Record, version: Int, createdAt: Timestamp, in db: any SQLExecutor)
        async throws -> Record
    {
        try await Table.insert(record, version: version, createdAt: createdAt, in: db)
        var stored = record.withoutReadOnlyFields
        stored.version = version
        stored.createdAt = createdAt
        return stored
    }
}

/// Retries `body` once when a concurrent writer inserted the same key first.
func retryingOnConflict<R>(_ body: () async throws -> R) async throws -> R {
    do {
        return try await body()
    } catch  where error.isUniqueViolation {
        return try await body()
    }
}
