import Foundation

/// A trace as a tree, stored flat in depth-first pre-order: index 0 is the root, and the subtree of span `i` is
/// `spans[i..<subtreeEnds[i]]`. Every traversal is iterative, so a 10,000-level parent chain is fine.
public struct Trace: Sendable {
    public let traceID: TraceID
    /// Depth-first pre-order; children in the order the tree was built with.
    public let spans: [Span]
    /// The index of each span's parent; -1 for the root.
    public let parents: [Int]
    /// One past the last index of each span's subtree.
    public let subtreeEnds: [Int]
    private let indexByID: [SpanID: Int]

    public var root: Span { spans[0] }
    public var count: Int { spans.count }

    public func index(of id: SpanID) -> Int? { indexByID[id] }

    /// The indices of the span's descendants (its subtree without itself), in pre-order.
    public func descendants(of index: Int) -> Range<Int> { (index + 1)..<subtreeEnds[index] }

    /// The indices of the span's direct children, in order.
    public func children(of index: Int) -> [Int] {
        var result: [Int] = []
        var child = index + 1
        while child < subtreeEnds[index] {
            result.append(child)
            child = subtreeEnds[child]
        }
        return result
    }

    /// Assembles spans as Tracetest does (language.md §1.2): drops input spans named `Temporary Tracetest root
    /// span`, injects the `tracetest.span.*` metadata, `span.events` and `span.links` into spans that lack them,
    /// links children to parents,
    /// picks the root (the only root, else the `Tracetest trigger` span, else a new temporary root holding the
    /// others) and orders children by start time.
    ///
    /// - Parameter now: Unix nanoseconds used for unfinished spans and a temporary root.
    public init(traceID: TraceID, spans input: consuming [Span], now: Int64 = Trace.nowUnixNano()) {
        var input = input
        var spans: [Span] = []
        var ids: [SpanID: Int] = [:]
        spans.reserveCapacity(input.count + 1)
        ids.reserveCapacity(input.count + 1)
        for position in input.indices {
            // Moved out, so the attributes are not copied when the metadata is added (unless the caller kept them).
            var span = Span(id: .zero, name: "")
            swap(&span, &input[position])
            guard span.name != TracetestAttributes.temporaryRootName,
                ids.updateValue(spans.count, forKey: span.id) == nil
            else { continue }
            if !span.hasTracetestMetadata { Self.injectMetadata(into: &span, now: now) }
            spans.append(span)
        }
        var children = [[Int]](repeating: [], count: spans.count)
        var roots: [Int] = []
        for (index, span) in spans.enumerated() {
            if let parentID = span.parentID, let parent = ids[parentID], parent != index {
                children[parent].append(index)
            } else {
                roots.append(index)
            }
        }
        let rootIndex: Int
        if roots.count == 1 {
            rootIndex = roots[0]
        } else if let trigger = roots.first(where: { spans[$0].name == TracetestAttributes.triggerSpanName }) {
            rootIndex = trigger
        } else {
            let temporaryRoot = Span(
                id: .random(), name: TracetestAttributes.temporaryRootName, startTimeUnixNano: now,
                endTimeUnixNano: now
            )
            ids[temporaryRoot.id] = spans.count
            spans.append(temporaryRoot)
            children.append([])
            rootIndex = spans.count - 1
        }
        for other in roots where other != rootIndex { children[rootIndex].append(other) }
        for index in children.indices where children[index].count > 1 {
            children[index] = children[index].enumerated().sorted {
                let (left, right) = (spans[$0.element].startTimeUnixNano, spans[$1.element].startTimeUnixNano)
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
        }
        self.init(traceID: traceID, spans: spans, ids: ids, children: children, root: rootIndex)
    }

    /// A tree given as is: `spans` in pre-order, each naming its parent; no metadata is injected and children keep
    /// their order. For traces that were assembled before (stored runs) and for tests.
    public init(traceID: TraceID, assembled spans: [Span]) {
        precondition(!spans.isEmpty, "an assembled trace has a root")
        let ids = Dictionary(spans.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var children = [[Int]](repeating: [], count: spans.count)
        for (index, span) in spans.enumerated().dropFirst() {
            let parent = span.parentID.flatMap { ids[$0] }.flatMap { $0 == index ? nil : $0 } ?? 0
            children[parent].append(index)
        }
        self.init(traceID: traceID, spans: spans, ids: ids, children: children, root: 0)
    }

    /// Lays the tree out in pre-order; spans not reachable from the root (parent cycles) hang under the root.
    private init(traceID: TraceID, spans unordered: [Span], ids: [SpanID: Int], children: [[Int]], root: Int) {
        var children = children
        var order: [Int] = []
        order.reserveCapacity(unordered.count)
        var visited = [Bool](repeating: false, count: unordered.count)
        func walk(from start: Int) {
            var stack = [start]
            while let next = stack.popLast() {
                guard !visited[next] else { continue }
                visited[next] = true
                order.append(next)
                stack.append(contentsOf: children[next].reversed())
            }
        }
        walk(from: root)
        if order.count < unordered.count {
            // Parent cycles: detach one span of each cycle and hang it under the root.
            var reached = visited
            for detached in unordered.indices where !reached[detached] {
                for parent in children.indices { children[parent].removeAll { $0 == detached } }
                children[root].append(detached)
                var stack = [detached]
                while let next = stack.popLast() {
                    guard !reached[next] else { continue }
                    reached[next] = true
                    stack.append(contentsOf: children[next])
                }
            }
            visited = [Bool](repeating: false, count: unordered.count)
            order.removeAll(keepingCapacity: true)
            walk(from: root)
        }
        var position = [Int](repeating: 0, count: unordered.count)
        for (newIndex, oldIndex) in order.enumerated() { position[oldIndex] = newIndex }
        var parents = [Int](repeating: -1, count: order.count)
        for (oldParent, kids) in children.enumerated() where visited[oldParent] {
            for kid in kids { parents[position[kid]] = position[oldParent] }
        }
        var subtreeEnds = Array(1...order.count)
        for index in stride(from: order.count - 1, through: 1, by: -1) {
            let parent = parents[index]
            subtreeEnds[parent] = max(subtreeEnds[parent], subtreeEnds[index])
        }
        self.traceID = traceID
        self.spans = order.map { unordered[$0] }
        self.parents = parents
        self.subtreeEnds = subtreeEnds
        self.indexByID = ids.mapValues { position[$0] }
    }

    public static func nowUnixNano() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000_000).rounded())
    }

    /// Sets the `tracetest.span.*` attributes, `span.events` and `span.links` (language.md §2.1). The receiver does
    /// this once per span on arrival, so assembling a stored trace does not repeat it.
    public static func injectMetadata(into span: inout Span, now: Int64) {
        typealias Key = TracetestAttributes
        let type = SpanType.infer(name: span.name, attributes: span.attributes)
        let end = span.endTimeUnixNano > 0 ? span.endTimeUnixNano : now
        span.attributes.reserveCapacity(span.attributes.count + 10)
        span.attributes[Key.name] = span.name
        span.attributes[Key.type] = type.rawValue
        span.attributes[Key.duration] = String(end - span.startTimeUnixNano)
        span.attributes[Key.startTime] = String(span.startTimeUnixNano)
        span.attributes[Key.endTime] = String(span.endTimeUnixNano)
        if let status = span.status {
            span.attributes[Key.statusCode] = status.code
            if !status.message.isEmpty { span.attributes[Key.statusDescription] = status.message }
        }
        span.attributes[Key.parentID] = (span.parentID ?? .zero).hex
        span.attributes[Key.events] = eventsJSON(span.events)
        if !span.links.isEmpty { span.attributes[Key.links] = linksJSON(span.links) }
        span.hasTracetestMetadata = true
    }

    static func eventsJSON(_ events: [SpanEvent]) -> String {
        guard !events.isEmpty else { return "[]" }
        return WireValue.array(
            events.map { event in
                .object([
                    "name": .string(event.name),
                    "timestamp": .string(Timestamp.rfc3339(unixNano: event.timeUnixNano)),
                    "attributes": sortedObject(event.attributes),
                ])
            }
        ).jsonText
    }

    static func linksJSON(_ links: [SpanLink]) -> String {
        WireValue.array(
            links.map { link in
                .object([
                    "traceId": .string(link.traceID.hex),
                    "spanId": .string(link.spanID.hex),
                    "traceState": .string(link.traceState),
                    "attributes": sortedObject(link.attributes),
                ])
            }
        ).jsonText
    }

    private static func sortedObject(_ attributes: [String: String]) -> WireValue {
        .object(.init(uniqueKeysWithValues: attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}
