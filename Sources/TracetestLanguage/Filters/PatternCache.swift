// Compiled patterns of the `regex`, `regex_group` and `json_path` filters, by pattern (filter arguments are usually
// literals evaluated once per span).
enum PatternCache {
    // A compiled regex is immutable; only its type-erased output type keeps it from being `Sendable`.
    private struct CompiledRegex: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    private static let regexes = BoundedCache<Result<CompiledRegex, Filters.FilterFailure>>(capacity: 256)
    private static let jsonPaths = BoundedCache<Result<JSONPath, Filters.FilterFailure>>(capacity: 256)

    // The pattern compiled with RE2-like semantics: Unicode scalars, ASCII classes.
    static func regex(_ pattern: String) throws(Filters.FilterFailure) -> Regex<AnyRegexOutput> {
        let compiled = regexes.value(for: pattern) { pattern in
            do {
                let regex = try Regex(pattern).matchingSemantics(.unicodeScalar).asciiOnlyDigits()
                    .asciiOnlyWhitespace().asciiOnlyWordCharacters()
                return .success(CompiledRegex(regex: regex))
            } catch {
                return .failure(Filters.FilterFailure("invalid regex: \(error)"))
            }
        }
        return try compiled.get().regex
    }

    static func jsonPath(_ pattern: String) throws(Filters.FilterFailure) -> JSONPath {
        try jsonPaths.value(for: pattern) { pattern in
            Result { () throws(JSONPath.SyntaxError) in try JSONPath(parsing: pattern) }
                .mapError { Filters.FilterFailure("invalid json_path: \($0.message)") }
        }.get()
    }
}
