import TracetestModel

extension JSONValue {
    // Equality as JSON values: numbers by value (`1` equals `1.0`), object keys in any order.
    func sameJSON(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)):
            guard let x = DecimalNumber(a), let y = DecimalNumber(b) else { return a == b }
            return x == y
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameJSON(as: $1) }
        case (.object(let a), .object(let b)):
            let keys = Set(a.map(\.key))
            guard keys == Set(b.map(\.key)) else { return false }
            return keys.allSatisfy { key in
                guard let x = self[key], let y = other[key] else { return false }
                return x.sameJSON(as: y)
            }
        default:
            return self == other
        }
    }
}
