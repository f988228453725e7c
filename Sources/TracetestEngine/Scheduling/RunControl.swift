import Synchronization

/// The requests a running run receives from outside: stop it, and stop waiting for more spans. Each is set once;
/// a waiter sees a request made before it started waiting.
final class RunControl: Sendable {
    private struct State {
        var stopRequested = false
        var skipRequested = false
        var stopWaiter: CheckedContinuation<Bool, Never>?
        var skipListeners: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextListener = 0
    }

    private let state = Mutex(State())

    /// Asks the run to stop; ``waitForStop()`` returns true.
    func stop() {
        let waiter = state.withLock { state in
            state.stopRequested = true
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?.resume(returning: true)
    }

    /// Returns true once a stop is requested, or false when the calling task is cancelled first. One task waits
    /// (the run's own).
    func waitForStop() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer: Bool? = state.withLock { state in
                    if state.stopRequested { return true }
                    if Task.isCancelled { return false }
                    state.stopWaiter = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.stopWaiter = nil }
                return state.stopWaiter
            }
            waiter?.resume(returning: false)
        }
    }

    /// Asks the trace wait to end with the spans received so far.
    func skip() {
        let listeners = state.withLock { state in
            state.skipRequested = true
            return Array(state.skipListeners.values)
        }
        for listener in listeners { listener.yield() }
    }

    /// One element when a skip is requested (at once if it already was); ends when the caller stops listening.
    func skips() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let requested = state.withLock { state in
            let id = state.nextListener
            state.nextListener += 1
            state.skipListeners[id] = continuation
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.skipListeners.removeValue(forKey: id) }
            }
            return state.skipRequested
        }
        if requested { continuation.yield() }
        return stream
    }
}
