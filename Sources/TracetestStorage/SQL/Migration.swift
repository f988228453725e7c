/// One schema change, with its statements for each dialect.
public struct Migration: Sendable {
    /// Orders migrations; a version, once released, must never change meaning.
    public var version: Int
    public var name: String
    public var sqlite: [String]
    public var postgresql: [String]

    public init(version: Int, name: String, sqlite: [String], postgresql: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgresql = postgresql
    }

    /// A migration whose statements are the same on both dialects.
    public init(version: Int, name: String, statements: [String]) {
        self.init(version: version, name: name, sqlite: statements, postgresql: statements)
    }

    public func statements(for dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite: sqlite
        case .postgresql: postgresql
        }
    }
}
