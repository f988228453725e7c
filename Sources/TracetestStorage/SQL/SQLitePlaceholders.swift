/// Rewrites PostgreSQL-style `$n` placeholders to SQLite's `?n`, leaving quoted strings and identifiers alone.
enum SQLitePlaceholders {
    /// The rewritten statement and the highest placeholder number it uses (0 when none).
    static func rewrite(_ sql: String) -> (sql: String, highest: Int) {
        var output = ""
        output.reserveCapacity(sql.utf8.count)
        var highest = 0
        var quote: Character?
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "$" {
                let digitsStart = sql.index(after: index)
                let digitsEnd = sql[digitsStart...].firstIndex { !$0.isASCII || !$0.isNumber } ?? sql.endIndex
                if digitsEnd > digitsStart, let number = Int(sql[digitsStart..<digitsEnd]) {
                    output += "?\(number)"
                    highest = max(highest, number)
                    index = digitsEnd
                    continue
                }
            }
            output.append(character)
            index = sql.index(after: index)
        }
        return (output, highest)
    }
}
