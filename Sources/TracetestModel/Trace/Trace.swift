import Foundation

/// A trace as a tree, stored flat in depth-first pre-order: index 0 is the root, and the subtree of span `i` is
/// `spans[i..<subtreeEnds[i]]`. Every traversal is iterative, so a 10,000-level parent chain is fine.
package struct Trace: Sendable {
    package let traceID: TraceID
    /// Depth-first pre-order; children in the order the tree was built with.
    package let spans: [Span]
    /// The index of each span's parent; -1 for the root.
    package let parents: [Int]
    /// One past the last index of each span's subtree.
    package let subtreeEnds: [Int]
    private let indexByID: [SpanID: Int]

    package var root: Span { spans[0] }
    package var count: Int { spans.count }

    package func index(of id: SpanID) -> Int? { indexByID[id] }

    /// The indices of the span's descendants (its subtree without itself), in pre-order.
    package func descendants(of index: Int) -> Range<Int> { (index + 1)..<subtreeEnds[index] }

    /// The indices of the span's direct children, in order.
    package func children(of index: Int) -> [Int] {
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
    package init(traceID: TraceID, spans input: consuming [Span], now: Int64 = Trace.nowUnixNano()) {
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
        var parents = [Int](repeating: -1, count: spans.count)
        var roots: [Int] = []
        for index in spans.indices {
            if let parentID = spans[index].parentID, let parent = ids[parentID], parent != index {
                parents[index] = parent
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
            parents.append(-1)
            rootIndex = spans.count - 1
        }
        for other in roots where other != rootIndex { parents[other] = rootIndex }
        var children = Children(parents: parents)
        children.sort { spans[$0].startTimeUnixNano }
        self.init(traceID: traceID, spans: consume spans, ids: ids, children: children, root: rootIndex)
    }

    /// A tree given as is: `spans` in pre-order, each naming its parent; no metadata is injected and children keep
    /// their order. For traces that were assembled before (stored runs) and for tests.
    package init(traceID: TraceID, assembled spans: [Span]) {
        precondition(!spans.isEmpty, "an assembled trace has a root")
        var ids: [SpanID: Int] = [:]
        ids.reserveCapacity(spans.count)
        for index in spans.indices where ids[spans[index].id] == nil { ids[spans[index].id] = index }
        var parents = [Int](repeating: 0, count: spans.count)
        parents[0] = -1
        for index in spans.indices.dropFirst() {
            if let parentID = spans[index].parentID, let parent = ids[parentID], parent != index {
                parents[index] = parent
            }
        }
        self.init(traceID: traceID, spans: spans, ids: ids, children: Children(parents: parents), root: 0)
    }

    /// Each span's children as one flat list: the children of `i` are `list[starts[i]..<starts[i + 1]]`, in index
    /// order until sorted.
    private struct Children {
        var list: [Int]
        var starts: [Int]

        init(parents: [Int]) {
            starts = [Int](repeating: 0, count: parents.count + 1)
            for parent in parents where parent >= 0 { starts[parent + 1] += 1 }
            for index in parents.indices { starts[index + 1] += starts[index] }
            list = [Int](repeating: 0, count: starts[parents.count])
            var next = starts
            for (child, parent) in parents.enumerated() where parent >= 0 {
                list[next[parent]] = child
                next[parent] += 1
            }
        }

        subscript(parent: Int) -> ArraySlice<Int> { list[starts[parent]..<starts[parent + 1]] }

        /// Orders each span's children by `key`, keeping their order on ties.
        mutating func sort(by key: (Int) -> Int64) {
            for parent in 0..<(starts.count - 1) where starts[parent + 1] - starts[parent] > 1 {
                let range = starts[parent]..<starts[parent + 1]
                guard zip(list[range], list[range].dropFirst()).contains(where: { key($0) > key($1) }) else { continue }
                list[range] = ArraySlice(
                    list[range].enumerated().sorted {
                        let (left, right) = (key($0.element), key($1.element))
                        return left != right ? left < right : $0.offset < $1.offset
                    }.map(\.element))
            }
        }
    }

    /// Lays the tree out in pre-order; spans not reachable from the root (parent cycles) hang under the root, after
    /// its other children.
    private init(traceID: TraceID, spans unordered: consuming [Span], ids: [SpanID: Int], children: Children, root: Int)
    {
        let count = unordered.count
        var order: [Int] = []
        order.reserveCapacity(count)
        var parents: [Int] = []
        parents.reserveCapacity(count)
        var position = [Int](repeating: -1, count: count)
        var detached: [Int] = []
        var stack: [(span: Int, parent: Int)] = []
        func walk() {
            order.removeAll(keepingCapacity: true)
            parents.removeAll(keepingCapacity: true)
            for index in position.indices { position[index] = -1 }
            stack = [(root, -1)]
            while let (next, parent) = stack.popLast() {
                guard position[next] < 0 else { continue }
                position[next] = order.count
                order.append(next)
                parents.append(parent < 0 ? -1 : position[parent])
                if next == root { for child in detached.reversed() { stack.append((child, next)) } }
                for child in children[next].reversed() { stack.append((child, next)) }
            }
        }
        walk()
        if order.count < count {
            // Parent cycles: detach one span of each cycle and hang it under the root.
            var reached = position.map { $0 >= 0 }
            for span in 0..<count where !reached[span] {
                detached.append(span)
                var pending = [span]
                while let next = pending.popLast() {
                    guard !reached[next] else { continue }
                    reached[next] = true
                    pending.append(contentsOf: children[next])
                }
            }
            walk()
        }
        var subtreeEnds = Array(1...count)
        for index in stride(from: count - 1, through: 1, by: -1) {
            let parent = parents[index]
            subtreeEnds[parent] = max(subtreeEnds[parent], subtreeEnds[index])
        }
        self.traceID = traceID
        if order.elementsEqual(0..<count) {
            self.spans = unordered
            self.indexByID = ids
        } else {
            var spans: [Span] = []
            spans.reserveCapacity(count)
            for old in order {
                var span = Span(id: .zero, name: "")
                swap(&span, &unordered[old])
                spans.append(span)
            }
            self.spans = spans
            self.indexByID = ids.mapValues { position[$0] }
        }
        self.parents = parents
        self.subtreeEnds = subtreeEnds
    }

    package static func nowUnixNano() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000_000).rounded())
    }

    /// Sets the `tracetest.span.*` attributes, `span.events` and `span.links` (language.md §2.1). Trace assembly does
    /// it for spans that lack them (the receiver stores spans as received); a run's saved trace has them.
    package static func injectMetadata(into span: inout Span, now: Int64) {
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
