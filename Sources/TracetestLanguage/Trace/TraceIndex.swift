import Foundation
import Synchronization
import TracetestConcurrency
import TracetestModel

/// A trace prepared for selection, built once per trace and shared by every selector evaluated on it. For each
/// property filters use more than once (`name`, `kind` or an attribute), the spans are grouped by value, so an
/// equality filter finds its spans without reading every span again.
package final class TraceIndex: Sendable {
    package let trace: Trace
    // The spans' fields by span index, read without copying spans.
    let ids: [SpanID]
    let names: [String]
    let kinds: [SpanKind]
    let attributes: [[String: String]]
    private let groupCache = OnceCache<ValueGroups>()
    private let columnCache = OnceCache<[String?]>()
    private let requested = Mutex<Set<String>>([])

    package init(_ trace: Trace) {
        self.trace = trace
        // One pass over the spans, reading only these fields.
        var (ids, names, kinds, attributes) = ([SpanID](), [String](), [SpanKind](), [[String: String]]())
        ids.reserveCapacity(trace.count)
        names.reserveCapacity(trace.count)
        kinds.reserveCapacity(trace.count)
        attributes.reserveCapacity(trace.count)
        trace.spans.withUnsafeBufferPointer { spans in
            for index in spans.indices {
                ids.append(spans[index].id)
                names.append(spans[index].name)
                kinds.append(spans[index].kind)
                attributes.append(spans[index].attributes)
            }
        }
        (self.ids, self.names, self.kinds, self.attributes) = (ids, names, kinds, attributes)
    }

    var count: Int { ids.count }

    // Spans by value of one property: each value's first span and count, and for each span the next span with the
    // same value (-1 at the end), all in pre-order.
    struct ValueGroups: Sendable {
        struct Group: Sendable {
            var first: Int32 = -1
            var count: Int32 = 0
        }

        var byValue: [String: Group]
        var next: [Int32]

        func spans(of group: Group) -> [Int] {
            var result: [Int] = []
            result.reserveCapacity(Int(group.count))
            var index = group.first
            while index >= 0 {
                result.append(Int(index))
                index = next[Int(index)]
            }
            return result
        }
    }

    // What a filter on `property` reads from span `index`: `name`, `kind`, or the attribute (empty when missing).
    func value(of property: String, at index: Int) -> String {
        switch property {
        case "name": return names[index]
        case "kind": return kinds[index].rawValue
        default: return attributes[index][property] ?? ""
        }
    }

    // The groups of `property` from its second use on (a first use scans the spans: grouping costs more than one
    // scan and pays off only when the property is read again).
    func groupsIfReused(_ property: String) -> ValueGroups? {
        guard !requested.withLock({ $0.insert(property).inserted }) else { return nil }
        return groups(for: property)
    }

    /// Groups the spans by each of `properties` now (properties that several selectors filter on: grouping them up
    /// front saves each its first scan). The attributes among them are read in one pass over the spans, split
    /// across the cores, so each span's attributes are fetched from memory once.
    func prepareGroups(for properties: [String]) {
        requested.withLock { $0.formUnion(properties) }
        let keys = properties.filter { $0 != "name" && $0 != "kind" }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 10_000))
        let read = Mutex([[[String]]](repeating: [], count: parts))
        ComputePool.shared.parallelFor(parts) { [count, attributes] part in
            let spans = (count * part / parts)..<(count * (part + 1) / parts)
            var values = keys.map { _ in [String]() }
            for key in values.indices { values[key].reserveCapacity(spans.count) }
            for span in spans {
                let attributes = attributes[span]
                for (key, name) in keys.enumerated() { values[key].append(attributes[name] ?? "") }
            }
            read.withLock { $0[part] = values }
        }
        let parted = read.withLock { $0 }
        let columns = keys.indices.map { key in parted.flatMap { $0[key] } }
        ComputePool.shared.parallelFor(properties.count) { position in
            let property = properties[position]
            _ = self.groups(for: property, values: keys.firstIndex(of: property).map { columns[$0] })
        }
    }

    private func groups(for property: String, values: [String]? = nil) -> ValueGroups {
        groupCache.value(for: property) { Self.groups(of: values ?? self.values(of: property)) }
    }

    /// What `attr:name` reads from every span, by span index; built once per name.
    func column(_ name: String) -> [String?] {
        columnCache.value(for: name) { attributes.map { Resolver.lookup(name, in: $0) } }
    }

    /// Whether ``column(_:)`` was built for `name`.
    func hasColumn(_ name: String) -> Bool { columnCache.contains(name) }

    // What filters on `property` read from every span (see ``value(of:at:)``).
    private func values(of property: String) -> [String] {
        switch property {
        case "name": names
        case "kind": kinds.map(\.rawValue)
        default: attributes.map { $0[property] ?? "" }
        }
    }

    private static func groups(of values: [String]) -> ValueGroups {
        var byValue: [String: ValueGroups.Group] = [:]
        var next = [Int32](repeating: -1, count: values.count)
        for index in values.indices.reversed() {
            next[index] = prepend(index, to: &byValue[values[index], default: ValueGroups.Group()])
        }
        return ValueGroups(byValue: byValue, next: next)
    }

    // Makes `index` the group's first span; returns the previous first.
    private static func prepend(_ index: Int, to group: inout ValueGroups.Group) -> Int32 {
        defer {
            group.first = Int32(index)
            group.count += 1
        }
        return group.first
    }
}

/// Values built once per key: a second caller for a key waits for the first instead of building again, while other
/// keys are built meanwhile.
private final class OnceCache<Value: Sendable>: Sendable {
    private final class Cell: Sendable {
        let value = Mutex<Value?>(nil)
    }

    private let cells = Mutex<[String: Cell]>([:])

    func value(for key: String, building build: () -> Value) -> Value {
        let cell = cells.withLock { cells in
            if let cell = cells[key] { return cell }
            let cell = Cell()
            cells[key] = cell
            return cell
        }
        return cell.value.withLock { value in
            if let value { return value }
            let built = build()
            value = built
            return built
        }
    }

    func contains(_ key: String) -> Bool { cells.withLock { $0[key] != nil } }
}
