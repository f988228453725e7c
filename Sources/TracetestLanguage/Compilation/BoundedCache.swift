import Synchronization

// A thread-safe map from text to a value computed once, holding at most `capacity` entries (the oldest go first).
final class BoundedCache<Value: Sendable>: Sendable {
    private struct Entries {
        var values: [String: Value] = [:]
        var order: [String] = []
        var oldest = 0
    }

    private let capacity: Int
    private let entries = Mutex(Entries())

    init(capacity: Int) {
        self.capacity = capacity
    }

    // The value stored for `key`, computing and storing it on first use.
    func value(for key: String, computing make: (String) -> Value) -> Value {
        if let found = entries.withLock({ $0.values[key] }) { return found }
        let value = make(key)
        entries.withLock { entries in
            guard entries.values.updateValue(value, forKey: key) == nil else { return }
            entries.order.append(key)
            if entries.values.count > capacity {
                entries.values[entries.order[entries.oldest]] = nil
                entries.oldest += 1
                if entries.oldest >= capacity {
                    entries.order.removeFirst(entries.oldest)
                    entries.oldest = 0
                }
            }
        }
        return value
    }
}
