import TracetestModel

/// Paging, search and order of a resource list, as the `take`, `skip`, `query`, `sortBy` and `sortDirection`
/// parameters give them.
package struct ListQuery: Sendable, Equatable {
    package var take: Int
    package var skip: Int
    /// Case-insensitive substring of the name (or description); spaces match anything.
    package var query: String
    /// One of the kind's sort fields, or empty for the kind's default order.
    package var sortBy: String
    package var ascending: Bool

    /// The largest `take` and `skip` a request may give (larger ones are read as this).
    package static let maximum = Int(Int32.max)

    package init(take: Int = 20, skip: Int = 0, query: String = "", sortBy: String = "", ascending: Bool = false) {
        self.take = take
        self.skip = skip
        self.query = query
        self.sortBy = sortBy
        self.ascending = ascending
    }

    /// The `LIKE` pattern for `query`: `%` around it and in place of each space.
    var likePattern: String {
        "%" + query.split(separator: " ", omittingEmptySubsequences: true).joined(separator: "%") + "%"
    }

    var direction: String { ascending ? "ASC" : "DESC" }
}

/// One page of a list and the number of records matching the query.
package struct Page<Item: Sendable>: Sendable {
    package var count: Int
    package var items: [Item]

    package init(count: Int, items: [Item]) {
        self.count = count
        self.items = items
    }
}

extension SQLExecutor {
    /// The rows of `select` (a statement without `LIMIT`/`OFFSET`) from `skip` on, at most `take`, and how many rows
    /// `count` (a `SELECT COUNT(*) AS count` of the same rows) counts. One more row than a page is read, so a page that
    /// holds the end of the list gives the count itself and `count` runs only for the pages before the last.
    func page(
        _ select: String, count: String, _ binds: [SQLValue], take: Int, skip: Int
    ) async throws -> (rows: [SQLRow], count: Int) {
        let rows = try await query("\(select) LIMIT \(take == .max ? take : take + 1) OFFSET \(skip)", binds)
        if rows.count <= take, !rows.isEmpty || skip == 0 { return (rows, skip + rows.count) }
        let total = try await query(count, binds).first?.int("count") ?? 0
        return (Array(rows.prefix(take)), total)
    }
}

/// A record that cannot be written as asked.
package enum RepositoryError: TracetestError, Sendable, Equatable {
    /// A create used an id that is taken.
    case duplicateID(ResourceKind, id: String)

    package var category: ErrorCategory { .invalidInput }

    package var description: String {
        switch self {
        case .duplicateID(let kind, let id):
            "\(kind.name.lowercased()) with same ID already exists: \(id)"
        }
    }
}
