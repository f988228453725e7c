import Testing

@testable import TracetestStorage

@Suite("SQL rows and placeholders")
struct SQLRowTests {
    let row = SQLRow([
        ("i", .integer(7)), ("one", .integer(1)), ("zero", .integer(0)), ("t", .text("x")), ("b", .bool(true)),
        ("r", .real(2.0)), ("f", .real(2.5)), ("n", .null),
    ])

    @Test func typedAccessorsConvertWhatIsSafe() throws {
        #expect(try row.int64("i") == 7)
        #expect(try row.int("r") == 2)
        #expect(try row.double("i") == 7)
        #expect(try row.bool("one") == true)
        #expect(try row.bool("zero") == false)
        #expect(try row.bool("b") == true)
        #expect(try row.optionalString("n") == nil)
        #expect(try row.optionalInt64("n") == nil)
        #expect(row["missing"] == .null)
    }

    @Test(arguments: [
        ("string", "i", StorageError.Code.typeMismatch), ("string", "n", .typeMismatch), ("int64", "f", .typeMismatch),
        ("bool", "i", .typeMismatch), ("double", "t", .typeMismatch), ("string", "nope", .columnMissing),
    ])
    func typedAccessorsRejectTheRest(accessor: String, column: String, code: StorageError.Code) {
        let error = #expect(throws: StorageError.self) {
            switch accessor {
            case "string": _ = try row.string(column)
            case "int64": _ = try row.int64(column)
            case "bool": _ = try row.bool(column)
            default: _ = try row.double(column)
            }
        }
        #expect(error?.code == code)
        #expect(error?.message.contains("'\(column)'") == true)
    }

    @Test(arguments: [
        ("SELECT $1", "SELECT ?1", 1),
        ("SELECT $2, $1, $2", "SELECT ?2, ?1, ?2", 2),
        ("SELECT '$1', \"$2\", $3", "SELECT '$1', \"$2\", ?3", 3),
        ("SELECT 'it''s $1', $1", "SELECT 'it''s $1', ?1", 1),
        ("SELECT $10 + $9", "SELECT ?10 + ?9", 10),
        ("SELECT $ , $a, 1", "SELECT $ , $a, 1", 0),
    ])
    func placeholdersAreRewrittenOutsideQuotes(sql: String, expected: String, highest: Int) {
        let rewritten = SQLitePlaceholders.rewrite(sql)
        #expect(rewritten.sql == expected)
        #expect(rewritten.highest == highest)
    }

    @Test func dialectHelpers() {
        #expect(SQLDialect.sqlite.caseInsensitiveLike == "LIKE")
        #expect(SQLDialect.postgresql.caseInsensitiveLike == "ILIKE")
        #expect(SQLDialect.allCases.map(\.systemName) == ["sqlite", "postgresql"])
    }
}
