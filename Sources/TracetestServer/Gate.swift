import Synchronization

/// Opens once every one of its keys has been marked. The server's own telemetry waits for every listener to listen
/// before exporting (so spans sent to the server's own OTLP receiver are not lost while it starts); the shutdown watch
/// waits for the first service asked to stop.
final class Gate<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var waiting: Set<Key>
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var isOpen: Bool { waiting.isEmpty }
    }

    private let state: Mutex<State>

    init(_ keys: Set<Key>) {
        state = Mutex(State(waiting: keys))
    }

    /// Marks `key`; the last one opens the gate.
    func mark(_ key: Key) {
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.waiting.remove(key)
            guard state.isOpen else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Returns once the gate is open, or at once when the task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if state.isOpen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
