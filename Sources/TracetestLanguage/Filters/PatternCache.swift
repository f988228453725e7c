// Compiled patterns of the `regex`, `regex_group` and `json_path` filters, by pattern (filter arguments are usually
// literals evaluated once per span).
enum PatternCache {
    private static let regexes = BoundedCache<Result<LinearRegex, Filters.FilterFailure>>(capacity: 256)
    private static let jsonPaths = BoundedCache<Result<JSONPath, Filters.FilterFailure>>(capacity: 256)

    /// The pattern compiled with Go's `regexp` syntax and semantics (RE2), matched in linear time.
    static func regex(_ pattern: String) throws(Filters.FilterFailure) -> LinearRegex {
        try regexes.value(for: pattern) { pattern in
            Result { () throws(LinearRegex.SyntaxError) in try LinearRegex(pattern) }
                .mapError { Filters.FilterFailure("invalid regex: \($0.message)") }
        }.get()
    }

    static func jsonPath(_ pattern: String) throws(Filters.FilterFailure) -> JSONPath {
        try jsonPaths.value(for: pattern) { pattern in
            Result { () throws(JSONPath.SyntaxError) in try JSONPath(parsing: pattern) }
                .mapError { Filters.FilterFailure("invalid json_path: \($0.message)") }
        }.get()
    }
}
