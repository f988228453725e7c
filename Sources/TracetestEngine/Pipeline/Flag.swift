import Synchronization

/// A boolean set once, read from any task.
final class Flag: Sendable {
    private let storage = Atomic<Bool>(false)

    var value: Bool { storage.load(ordering: .acquiring) }

    func set() { storage.store(true, ordering: .releasing) }
}
