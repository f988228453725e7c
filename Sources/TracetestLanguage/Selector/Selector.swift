/// A compiled span selector (language.md §3): alternatives separated by `,`, each a chain of `span[...]` steps where
/// every step selects among the descendants of the previous one. No alternative selects every span.
///
/// Parse once with `Selector(parsing:)` (or `Selector.cached(_:)`), then `select(in:)` over any number of traces.
package struct Selector: Sendable, Equatable {
    package let text: String
    package let alternatives: [SelectorPath]

    /// Parses `text`; the empty text (or only whitespace) selects every span.
    package init(parsing text: String) throws(LanguageError) {
        let scalars = Array(text.unicodeScalars)
        do throws(SyntaxIssue) {
            self.alternatives = try SelectorParser.parse(scalars)
        } catch {
            throw LanguageError(
                kind: .selector, input: text, scalars: scalars, offset: error.offset, message: error.message)
        }
        self.text = text
    }
}

/// `span[A] span[B]:first`: the steps from the outermost ancestor to the selected spans.
package struct SelectorPath: Sendable, Equatable {
    package let steps: [SpanSelector]
}

/// One `span[filters]:pseudo-class` step.
package struct SpanSelector: Sendable, Equatable {
    package let filters: [SpanFilter]
    package let pseudoClass: PseudoClass?
}

/// `property = value` or `property contains value`. `name` and `kind` read the span's fields; any other property
/// reads the attribute, a missing attribute reading as the empty text.
package struct SpanFilter: Sendable, Equatable {
    package enum Operator: String, Sendable {
        case equals = "="
        case contains
    }

    package let property: String
    package let `operator`: Operator
    package let value: FilterValue
}

/// The literal of a filter.
package struct FilterValue: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case string, integer, float, boolean
    }

    package let kind: Kind
    /// As written (a string with its quotes).
    package let raw: String
    /// What spans are compared with: a string's content, an integer in decimal, a float as written, `true`/`false`.
    package let text: String
}

/// Picks one span of those a step selected.
package enum PseudoClass: Sendable, Equatable {
    case first
    case last
    /// 1-based; out of range selects nothing.
    case nthChild(Int)
}
