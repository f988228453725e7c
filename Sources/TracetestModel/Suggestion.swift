/// "Did you mean this?": the closest of a set of names to a mistyped one.
package enum Suggestion {
    /// The candidate within `maximumEdits` edits of `name` (ties broken alphabetically), or nil.
    package static func closest(to name: String, among candidates: [String], maximumEdits: Int = 2) -> String? {
        candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= maximumEdits }
            .min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
