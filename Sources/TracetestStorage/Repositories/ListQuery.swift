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
