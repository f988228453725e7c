/// A compiled span selector (language.md §3): alternatives separated by `,`, each a chain of `span[...]` steps where
/// every step selects among the descendants of the previous one. No alternative selects every span.
///
/// Parse once with `Selector(parsing:)` (or `Selector.cached(_:)`), then `select(in:)` over any number of traces.
public struct Selector: Sendable, Equatable {
    public let text: String
    public let alternatives: [SelectorPath]

    /// Parses `text`; the empty text (or only whitespace) selects every span.
    public init(parsing text: String) throws(LanguageError) {
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
public struct SelectorPath: Sendable, Equatable {
    public let steps: [SpanSelector]
}

/// One `span[filters]:pseudo-class` step.
public struct SpanSelector: Sendable, Equatable {
    public let filters: [SpanFilter]
    public let pseudoClass: PseudoClass?
}

/// `property = value` or `property contains value`. `name` and `kind` read the span's fields; any other property
/// reads the attribute, a missing attribute reading as the empty text.
public struct SpanFilter: Sendable, Equatable {
    public enum Operator: String, Sendable {
        case equals = "="
        case contains
    }

    public let property: String
    public let `operator`: Operator
    public let value: FilterValue
}

/// The literal of a filter.
public struct FilterValue: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case string, integer, float, boolean
    }

    public let kind: Kind
    /// As written (a string with its quotes).
    public let raw: String
    /// What spans are compared with: a string's content, an integer in decimal, a float as written, `true`/`false`.
    public let text: String
}

/// Picks one span of those a step selected.
public enum PseudoClass: Sendable, Equatable {
    case first
    case last
    /// 1-based; out of range selects nothing.
    case nthChild(Int)
}
