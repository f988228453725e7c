/// The comparators of language.md §5.3. `startsWith` and `endsWith` exist for lookups by symbol; assertions cannot
/// write them.
package enum Comparator: String, Sendable, CaseIterable {
    case equals = "="
    case notEquals = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains
    case notContains = "not-contains"
    case startsWith
    case endsWith

    /// The comparator written as `symbol` (`"<="`, `"not-contains"`), or nil.
    package init?(symbol: String) {
        self.init(rawValue: symbol)
    }

    package var symbol: String { rawValue }

    var isOrdering: Bool { self == .less || self == .lessOrEqual || self == .greater || self == .greaterOrEqual }

    /// Passes when `actual <comparator> expected`, else throws `no match`. Numbers compare by value (`1 = 1.0`,
    /// `1.5 < 2`); ordering needs numbers on both sides (`cannot parse "a" as integer`); the rest compares text.
    package func compare(actual: String, expected: String) throws(EvaluationError) {
        let passed: Bool
        switch self {
        case .equals: passed = Self.equal(actual, expected)
        case .notEquals: passed = !Self.equal(actual, expected)
        case .contains: passed = actual.containsBytes(of: expected)
        case .notContains: passed = !actual.containsBytes(of: expected)
        case .startsWith: passed = actual.hasPrefix(expected)
        case .endsWith: passed = actual.hasSuffix(expected)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            if let right = Int64(expected), let left = Int64(actual) {
                passed = ordered(left, right)
            } else {
                let right = try Self.number(expected)
                passed = ordered(try Self.number(actual), right)
            }
        }
        guard passed else { throw EvaluationError.noMatch }
    }

    func ordered<T: Comparable>(_ actual: T, _ expected: T) -> Bool {
        switch self {
        case .less: return actual < expected
        case .lessOrEqual: return actual <= expected
        case .greater: return actual > expected
        default: return actual >= expected
        }
    }

    private static func number(_ text: String) throws(EvaluationError) -> DecimalNumber {
        guard let number = DecimalNumber(text) else {
            throw EvaluationError(.comparison, "cannot parse \"\(text)\" as integer")
        }
        return number
    }

    // Equal texts, or numbers (`-?[0-9]+(.[0-9]+)?`) of equal value.
    static func equal(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        if let x = Int64(a), let y = Int64(b) { return x == y }
        guard isPlainNumber(a), isPlainNumber(b), let x = DecimalNumber(a), let y = DecimalNumber(b) else {
            return false
        }
        return x == y
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        let bytes = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        return !bytes.isEmpty && TypeInference.numberPrefixLength(bytes) == bytes.count
    }
}
