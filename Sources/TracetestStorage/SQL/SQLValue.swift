/// A value bound to a `$n` placeholder or read from a result column.
///
/// `.bool` binds as a boolean on PostgreSQL and as 0/1 on SQLite. `.text` binds on PostgreSQL with no declared type,
/// so the server infers it from the statement as for a `'literal'` (so text fits `jsonb` or `timestamptz` columns);
/// where nothing tells the type, as in `$1 IS NULL`, write `CAST($1 AS TEXT)`, which both dialects accept.
package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bool(Bool)
    /// Bytes: a SQLite BLOB or a PostgreSQL `bytea`.
    case blob([UInt8])

    /// `.text(value)`, or `.null` when `value` is nil.
    package init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    /// `.integer(value)`, or `.null` when `value` is nil.
    package init(_ value: Int?) {
        self = value.map { .integer(Int64($0)) } ?? .null
    }

    /// `.integer(value)`, or `.null` when `value` is nil.
    package init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    /// `.real(value)`, or `.null` when `value` is nil.
    package init(_ value: Double?) {
        self = value.map { .real($0) } ?? .null
    }

    /// `.bool(value)`, or `.null` when `value` is nil.
    package init(_ value: Bool?) {
        self = value.map { .bool($0) } ?? .null
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    package init(nilLiteral: ()) { self = .null }
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(floatLiteral value: Double) { self = .real(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension SQLValue {
    /// The value's kind, for error messages (never the value itself, which may be sensitive).
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .bool: "bool"
        case .blob: "blob"
        }
    }
}
