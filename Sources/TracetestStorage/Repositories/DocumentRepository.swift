import TracetestModel

/// How a plain (unversioned) kind is laid out: its table, and the columns lists search and sort on.
package protocol DocumentTable: Sendable {
    associatedtype Record: ResourceSpec
    static var table: String { get }
    /// Columns copied out of the record besides `id`, `created_at` and `document`.
    static func columns(of record: Record) -> [(name: String, value: SQLValue)]
    /// The columns `query` searches.
    static var searchColumns: [String] { get }
    /// `sortBy` values and the columns they order by; the first is the default.
    static var sortColumns: [(field: String, column: String)] { get }
}

/// Variable sets and demos: one row per record, the whole spec kept as JSON.
package struct DocumentRepository<Table: DocumentTable>: Sendable {
    package typealias Record = Table.Record
    let database: any SQLDatabase

    package init(database: any SQLDatabase) {
        self.database = database
    }

    /// Stores a new record; the id must be new.
    package func create(_ record: Record, now: Timestamp = .now()) async throws -> Record {
        do {
            return try await database.transaction { db in try await Self.create(record, now: now, in: db) }
        } catch  where error.isUniqueViolation {
            throw RepositoryError.duplicateID(Record.kind, id: record.id)
        }
    }

    /// Stores a new record inside an open transaction; the id must be new.
    package static func create(_ record: Record, now: Timestamp, in db: any SQLExecutor) async throws -> Record {
        if try await find(record.id, in: db) != nil {
            throw RepositoryError.duplicateID(Record.kind, id: record.id)
        }
        return try await insert(record, createdAt: now, in: db)
    }

    /// Replaces an existing record; nil when there is none with that id.
    package func update(_ record: Record, now: Timestamp = .now()) async throws -> Record? {
        try await database.transaction { db in
            guard let existing = try await Self.find(record.id, in: db) else { return nil }
            return try await Self.replace(record, existing: existing, now: now, in: db)
        }
    }

    /// Updates the record if it exists, creates it otherwise; `created` tells which happened.
    package func upsert(_ record: Record, now: Timestamp = .now()) async throws -> (record: Record, created: Bool) {
        try await retryingOnConflict {
            try await database.transaction { db in
                if let existing = try await Self.find(record.id, in: db) {
                    return (try await Self.replace(record, existing: existing, now: now, in: db), false)
                }
                return (try await Self.insert(record, createdAt: now, in: db), true)
            }
        }
    }

    package func get(_ id: String) async throws -> Record? {
        try await database.read { db in try await Self.find(id, in: db)?.record }
    }

    /// Records matching `query` (a case-insensitive search of the search columns; spaces match anything).
    package func list(_ query: ListQuery) async throws -> Page<Record> {
        let sort = Table.sortColumns.first { $0.field == query.sortBy } ?? Table.sortColumns[0]
        return try await database.read { db in
            var filter = "TRUE"
            var binds: [SQLValue] = []
            if !query.query.isEmpty {
                let like = db.dialect.caseInsensitiveLike
                filter = "(" + Table.searchColumns.map { "\($0) \(like) $1" }.joined(separator: " OR ") + ")"
                binds = [.text(query.likePattern)]
            }
            let page = try await db.page(
                "SELECT document FROM \(Table.table) WHERE \(filter) ORDER BY \(sort.column) \(query.direction), id",
                count: "SELECT COUNT(*) AS count FROM \(Table.table) WHERE \(filter)", binds, take: query.take,
                skip: query.skip)
            return Page(count: page.count, items: try page.rows.map { try $0.json(Record.self, "document") })
        }
    }

    /// Removes the record; false when there was none.
    package func delete(_ id: String) async throws -> Bool {
        try await database.transaction { db in
            !(try await db.query("DELETE FROM \(Table.table) WHERE id = $1 RETURNING id", [.text(id)])).isEmpty
        }
    }

    private static func find(_ id: String, in db: any SQLExecutor) async throws -> (
        record: Record, createdAt: Timestamp
    )? {
        let rows = try await db.query("SELECT document, created_at FROM \(Table.table) WHERE id = $1", [.text(id)])
        guard let row = rows.first else { return nil }
        return (try row.json(Record.self, "document"), try row.timestamp("created_at"))
    }

    private static func insert(_ record: Record, createdAt: Timestamp, in db: any SQLExecutor) async throws -> Record {
        var stored = record
        stored.prepareForSave(previous: nil, now: createdAt)
        let extra = Table.columns(of: stored)
        let names = (["id", "created_at", "document"] + extra.map(\.name)).joined(separator: ", ")
        let placeholders = (1...(3 + extra.count)).map { "$\($0)" }.joined(separator: ", ")
        try await db.execute(
            "INSERT INTO \(Table.table) (\(names)) VALUES (\(placeholders))",
            [.text(stored.id), SQLValue(createdAt), .text(try StoredJSON.text(stored))] + extra.map(\.value)
        )
        return stored
    }

    private static func replace(
        _ record: Record,
        existing: (record: Record, createdAt: Timestamp),
        now: Timestamp,
        in db: any SQLExecutor
    ) async throws -> Record {
        var stored = record
        stored.prepareForSave(previous: existing.record, now: now)
        let extra = Table.columns(of: stored)
        let assignments = (["document"] + extra.map(\.name)).enumerated().map { "\($1) = $\($0 + 2)" }
        try await db.execute(
            "UPDATE \(Table.table) SET \(assignments.joined(separator: ", ")) WHERE id = $1",
            [.text(stored.id), .text(try StoredJSON.text(stored))] + extra.map(\.value)
        )
        return stored
    }
}

package typealias VariableSetRepository = DocumentRepository<VariableSetsTable>
package typealias DemoRepository = DocumentRepository<DemosTable>

package enum VariableSetsTable: DocumentTable {
    package static let table = "variable_sets"
    package static func columns(of set: VariableSet) -> [(name: String, value: SQLValue)] {
        [("name", .text(set.name)), ("description", .text(set.description))]
    }
    package static let searchColumns = ["name", "description"]
    package static let sortColumns = [
        (field: "created", column: "created_at"), (field: "createdAt", column: "created_at"),
        (field: "name", column: "name"),
    ]
}

package enum DemosTable: DocumentTable {
    package static let table = "demos"
    package static func columns(of demo: Demo) -> [(name: String, value: SQLValue)] {
        [("name", .text(demo.name)), ("type", .text(demo.type))]
    }
    package static let searchColumns = ["name"]
    package static let sortColumns = [
        (field: "name", column: "name"), (field: "id", column: "id"), (field: "type", column: "type"),
    ]
}
