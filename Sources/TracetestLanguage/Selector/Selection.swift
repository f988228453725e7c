extension Selector {
    /// The indices (into `index.trace.spans`) of the selected spans: each alternative's spans in pre-order, the
    /// alternatives one after the other, each span once (DECISIONS.md).
    package func select(in index: TraceIndex) -> [Int] {
        guard !alternatives.isEmpty else { return Array(0..<index.count) }
        if alternatives.count == 1 { return Self.select(alternatives[0], in: index) }
        var seen = [Bool](repeating: false, count: index.count)
        var result: [Int] = []
        for path in alternatives {
            for span in Self.select(path, in: index) where !seen[span] {
                seen[span] = true
                result.append(span)
            }
        }
        return result
    }

    // Each step picks, among the descendants of the spans the previous step picked, those matching its filters, then
    // applies its own pseudo-class.
    private static func select(_ path: SelectorPath, in index: TraceIndex) -> [Int] {
        var within = [0..<index.count]
        var selected: [Int] = []
        for (position, step) in path.steps.enumerated() {
            if position > 0 { within = subtrees(below: selected, in: index) }
            selected = spans(matching: step.filters, within: within, in: index)
            if let pseudoClass = step.pseudoClass { selected = pseudoClass.apply(to: selected) }
            if selected.isEmpty { return [] }
        }
        return selected
    }

    // The descendants of `spans` (ascending) as ascending, disjoint ranges.
    private static func subtrees(below spans: [Int], in index: TraceIndex) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var end = 0
        let subtreeEnds = index.trace.subtreeEnds
        for span in spans where span >= end {
            end = subtreeEnds[span]
            if span + 1 < end { ranges.append((span + 1)..<end) }
        }
        return ranges
    }

    private static func spans(matching filters: [SpanFilter], within ranges: [Range<Int>], in index: TraceIndex)
        -> [Int]
    {
        let matchers = filters.map(FilterMatcher.init)
        guard !matchers.isEmpty else { return ranges.flatMap { Array($0) } }
        guard let driver = indexedLookup(matchers, in: index) else {
            return ranges.flatMap { range in
                range.filter { span in matchers.allSatisfy { $0.matches(index.value(of: $0.property, at: span)) } }
            }
        }
        let others = matchers.indices.filter { $0 != driver.filter }.map { matchers[$0] }
        var result: [Int] = []
        var rangeIndex = 0
        for span in driver.spans {
            while rangeIndex < ranges.count && ranges[rangeIndex].upperBound <= span { rangeIndex += 1 }
            guard rangeIndex < ranges.count else { break }
            guard ranges[rangeIndex].contains(span) else { continue }
            if others.allSatisfy({ $0.matches(index.value(of: $0.property, at: span)) }) { result.append(span) }
        }
        return result
    }

    /// The spans of one filter, read from the index when it has the property grouped: among the filters comparing
    /// text for equality the one matching the fewest spans; otherwise the first filter, tested once per distinct value.
    private static func indexedLookup(_ matchers: [FilterMatcher], in index: TraceIndex) -> (filter: Int, spans: [Int])?
    {
        var best: (filter: Int, groups: TraceIndex.ValueGroups, group: TraceIndex.ValueGroups.Group)?
        for (position, matcher) in matchers.enumerated() where matcher.isTextEquality {
            guard let groups = index.groupsIfReused(matcher.property) else { continue }
            let group = groups.byValue[matcher.text] ?? TraceIndex.ValueGroups.Group()
            if best == nil || group.count < best!.group.count { best = (position, groups, group) }
        }
        if let best { return (best.filter, best.groups.spans(of: best.group)) }
        guard let first = matchers.first, let groups = index.groupsIfReused(first.property) else { return nil }
        let spans = groups.byValue.filter { first.matches($0.key) }.values.flatMap { groups.spans(of: $0) }
        return (0, spans.sorted())
    }
}

// A filter ready to test values: numbers compare by value, other literals as text (DECISIONS.md).
private struct FilterMatcher {
    let property: String
    let text: String
    let isContains: Bool
    let number: DecimalNumber?

    init(_ filter: SpanFilter) {
        property = filter.property
        text = filter.value.text
        isContains = filter.operator == .contains
        let numeric = filter.value.kind == .integer || filter.value.kind == .float
        number = numeric && !isContains ? DecimalNumber(filter.value.text) : nil
    }

    var isTextEquality: Bool { !isContains && number == nil }

    func matches(_ actual: String) -> Bool {
        if isContains { return actual.containsBytes(of: text) }
        if let number { return DecimalNumber(actual) == number }
        return actual == text
    }
}

extension PseudoClass {
    func apply(to spans: [Int]) -> [Int] {
        switch self {
        case .first: return Array(spans.prefix(1))
        case .last: return Array(spans.suffix(1))
        case .nthChild(let position): return spans.indices.contains(position - 1) ? [spans[position - 1]] : []
        }
    }
}
