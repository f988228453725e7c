private let selectors = BoundedCache<Result<Selector, LanguageError>>(capacity: 4096)
private let assertions = BoundedCache<Result<Assertion, LanguageError>>(capacity: 4096)
private let expressions = BoundedCache<Result<Expression, LanguageError>>(capacity: 4096)

extension Selector {
    /// `Selector(parsing:)` through a shared, bounded cache of compiled selectors (and their errors).
    package static func cached(_ text: String) throws(LanguageError) -> Selector {
        try selectors.value(for: text) { text in Result { () throws(LanguageError) in try Selector(parsing: text) } }
            .get()
    }
}

extension Assertion {
    /// `Assertion(parsing:)` through a shared, bounded cache.
    package static func cached(_ text: String) throws(LanguageError) -> Assertion {
        try assertions.value(for: text) { text in Result { () throws(LanguageError) in try Assertion(parsing: text) } }
            .get()
    }
}

extension Expression {
    /// `Expression(parsing:)` through a shared, bounded cache.
    package static func cached(_ text: String) throws(LanguageError) -> Expression {
        try expressions.value(for: text) { text in
            Result { () throws(LanguageError) in try Expression(parsing: text) }
        }.get()
    }
}
