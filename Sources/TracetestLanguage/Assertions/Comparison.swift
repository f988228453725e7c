// Compares the two resolved sides of an assertion (language.md §5 with DECISIONS.md): durations exactly in
// nanoseconds, JSON `contains` as a subset match, `contains` on lists by item, `not-contains` as its negation.
enum Comparison {
    // The observed value (the left side as users see it) and why the comparison failed, if it did.
    static func evaluate(_ left: Value, _ comparator: Comparator, _ right: Value) -> (String, EvaluationError?) {
        let comparesValues = comparator == .equals || comparator == .notEquals || comparator.isOrdering
        if comparesValues && (left.type == .duration || right.type == .duration) {
            return durations(left, comparator, right)
        }
        do throws(EvaluationError) {
            try compare(left, comparator, right)
            return (left.rendered, nil)
        } catch {
            return (left.rendered, error)
        }
    }

    private static func durations(_ left: Value, _ comparator: Comparator, _ right: Value) -> (String, EvaluationError?)
    {
        let leftNanoseconds = nanoseconds(left)
        let observed = leftNanoseconds.map(DurationText.exactText) ?? left.rendered
        guard let a = leftNanoseconds, let b = nanoseconds(right) else {
            switch comparator {
            case .equals: return (observed, .noMatch)
            case .notEquals: return (observed, nil)
            default:
                let text = leftNanoseconds == nil ? left.rendered : right.rendered
                return (observed, EvaluationError(.comparison, "cannot parse \"\(text)\" as a duration"))
            }
        }
        let passed: Bool
        switch comparator {
        case .equals: passed = a == b
        case .notEquals: passed = a != b
        default: passed = comparator.ordered(a, b)
        }
        return (observed, passed ? nil : .noMatch)
    }

    // A duration literal or text with a unit, or a number of nanoseconds.
    private static func nanoseconds(_ value: Value) -> Int64? {
        guard case .single(let single) = value, single.type == .duration || single.type == .number else { return nil }
        return DurationText.nanoseconds(single.text)
    }

    private static func compare(_ left: Value, _ comparator: Comparator, _ right: Value) throws(EvaluationError) {
        switch comparator {
        case .contains, .notContains:
            let reason = try missing(left, right)
            if comparator == .contains, let reason { throw EvaluationError(.noMatch, reason) }
            if comparator == .notContains, reason == nil { throw EvaluationError.noMatch }
        case .equals, .notEquals:
            if case .array(let a) = left, case .array(let b) = right {
                let equal = a.count == b.count && zip(a, b).allSatisfy { Comparator.equal($0.text, $1.text) }
                guard equal == (comparator == .equals) else { throw EvaluationError.noMatch }
            } else {
                try comparator.compare(actual: left.rendered, expected: right.rendered)
            }
        default:
            try comparator.compare(actual: left.rendered, expected: right.rendered)
        }
    }

    // Nil when the left side contains the right side, else why not. A JSON right side is looked for as a subset of
    // the left side's JSON (of any item, for a list).
    private static func missing(_ left: Value, _ right: Value) throws(EvaluationError) -> String? {
        if let wanted = right.first, wanted.type == .json, let have = left.first,
            have.type == .json || have.type == .array
        {
            var reason: String?
            for item in left.items where item.type == .json || item.type == .array {
                reason = try JSONContains.mismatch(superset: item, subset: wanted)
                if reason == nil { return nil }
            }
            return reason
        }
        let found: Bool
        if case .array(let items) = left {
            let expected = right.rendered
            found = items.contains { Comparator.equal($0.text, expected) }
        } else {
            found = left.rendered.containsBytes(of: right.rendered)
        }
        return found ? nil : "no match"
    }
}
