import TracetestModel

// `contains` between JSON texts (language.md §5.5, every key checked): each object on the right must be matched by
// some object on the left that has all its keys with equal values, nested objects matched the same way, arrays and
// other values equal as JSON.
enum JSONContains {
    // Nil when the left side contains the right side, else why not (the whole message, ending as upstream's do).
    static func mismatch(superset: TypedValue, subset: TypedValue) throws(EvaluationError) -> String? {
        // The right side's type was inferred as json, so only the left side can fail to parse.
        guard let haves = objects(superset.json), let wants = objects(subset.json) else {
            throw EvaluationError(.comparison, "left side is not a JSON object")
        }
        for (index, want) in wants.enumerated() {
            let reasons = haves.map { mismatch(have: $0, want: want) }
            guard reasons.allSatisfy({ $0 != nil }) else { continue }
            if haves.count == 1, let reason = reasons[0] { return reason }
            return "left side array doesn't match item \(index) of right side: no match"
        }
        return nil
    }

    // An object, or an array of objects, as a list of objects.
    private static func objects(_ document: JSONValue?) -> [JSONValue]? {
        switch document {
        case .object(let fields)?: return [.object(fields)]
        case .array(let items)? where items.allSatisfy(\.isObject): return items
        default: return nil
        }
    }

    private static func mismatch(have: JSONValue, want: JSONValue) -> String? {
        guard case .object(let fields) = want else { return have.sameJSON(as: want) ? nil : "no match" }
        for field in fields {
            let (key, wanted) = (field.key, field.value)
            guard let found = have[key] else { return "field \"\(key)\" not found on left side: no match" }
            if found.isObject {
                guard wanted.isObject else { return "field: \"\(key)\": wrong type" }
                if let reason = mismatch(have: found, want: wanted) { return "field \"\(key)\": \(reason)" }
            } else if !found.sameJSON(as: wanted) {
                return "field \"\(key)\": no match"
            }
        }
        return nil
    }
}
