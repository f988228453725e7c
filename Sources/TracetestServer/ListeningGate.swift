import Synchronization

/// Opens once every listener of the server accepts connections. The server's own telemetry waits for it before
/// exporting, so spans sent to the server's own OTLP receiver are not lost while it is still starting.
final class ListeningGate: Sendable {
    private struct State {
        var waiting: Set<TracetestServer.Listener>
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var isOpen: Bool { waiting.isEmpty }
    }

    private let state: Mutex<State>

    init(_ listeners: Set<TracetestServer.Listener>) {
        state = Mutex(State(waiting: listeners))
    }

    /// Records that `listener` listens; the last one opens the gate.
    func listening(_ listener: TracetestServer.Listener) {
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.waiting.remove(listener)
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
