import TracetestModel

// A JSONPath query in the dialect `json_path` accepts: `$.a.b`, `.a` (no `$`), `a[0]`, `[-1]`, `[*]`, `.*`, `..x`,
// unions `['a','b']` / `[0,2]`, slices `[1:3]`, filters `[?(@.age > 30 && @.name != 'x')]`. Results come in document
// order (a union in the order it lists).
struct JSONPath: Sendable {
    struct SyntaxError: Error {
        var message: String
    }

    enum Step: Sendable {
        case name(String)
        case wildcard
        case keys([String])
        case indices([Int])
        case slice(start: Int?, end: Int?, step: Int)
        case filter(FilterExpression)
    }

    struct Segment: Sendable {
        var step: Step
        var descendant: Bool
    }

    let segments: [Segment]

    init(parsing text: String) throws(SyntaxError) {
        var parser = JSONPathParser(scalars: Array(text.unicodeScalars))
        self = try parser.wholePath()
    }

    init(segments: [Segment]) {
        self.segments = segments
    }

    func select(in document: JSONValue) -> [JSONValue] {
        select(in: document, root: document)
    }

    func select(in start: JSONValue, root: JSONValue) -> [JSONValue] {
        var nodes = [start]
        for segment in segments {
            var next: [JSONValue] = []
            for node in nodes {
                if segment.descendant {
                    for inner in Self.selfAndDescendants(node) {
                        Self.apply(segment.step, to: inner, root: root, &next)
                    }
                } else {
                    Self.apply(segment.step, to: node, root: root, &next)
                }
            }
            nodes = next
        }
        return nodes
    }

    // Pre-order, without recursion.
    private static func selfAndDescendants(_ node: JSONValue) -> [JSONValue] {
        var result: [JSONValue] = []
        var stack = [node]
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: children(of: next).reversed())
        }
        return result
    }

    private static func children(of node: JSONValue) -> [JSONValue] {
        switch node {
        case .array(let items): return items
        case .object(let fields): return fields.map(\.value)
        default: return []
        }
    }

    private static func apply(_ step: Step, to node: JSONValue, root: JSONValue, _ out: inout [JSONValue]) {
        switch step {
        case .name(let key):
            if let value = node[key] { out.append(value) }
        case .wildcard:
            out += children(of: node)
        case .keys(let keys):
            out += keys.compactMap { node[$0] }
        case .indices(let indices):
            guard case .array(let items) = node else { return }
            for index in indices {
                let position = index < 0 ? items.count + index : index
                if items.indices.contains(position) { out.append(items[position]) }
            }
        case .slice(let start, let end, let step):
            guard case .array(let items) = node, step > 0 else { return }
            let clamp = { (value: Int) in min(max(value < 0 ? items.count + value : value, 0), items.count) }
            var position = clamp(start ?? 0)
            let stop = clamp(end ?? items.count)
            while position < stop {
                out.append(items[position])
                position += step
            }
        case .filter(let expression):
            out += children(of: node).filter { expression.holds(current: $0, root: root) }
        }
    }
}
