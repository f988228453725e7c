/// One schema change, with its statements for each dialect.
package struct Migration: Sendable {
    /// Orders migrations; a version, once released, must never change meaning.
    package var version: Int
    package var name: String
    package var sqlite: [String]
    package var postgresql: [String]

    package init(version: Int, name: String, sqlite: [String], postgresql: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgresql = postgresql
    }

    /// A migration whose statements are the same on both dialects.
    package init(version: Int, name: String, statements: [String]) {
        self.init(version: version, name: name, sqlite: statements, postgresql: statements)
    }

    package func statements(for dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite: sqlite
        case .postgresql: postgresql
        }
    }
}
