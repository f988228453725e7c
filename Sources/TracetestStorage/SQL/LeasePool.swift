import Synchronization

/// A fixed set of resources handed out one task at a time, first come first served.
///
/// Unlike an actor, a lease holds across suspension points, so a connection stays exclusive for a whole transaction.
final class LeasePool<Resource: Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Resource, any Error>
    }

    private struct State {
        var idle: [Resource]
        var total: Int
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        var drainers: [CheckedContinuation<[Resource], Never>] = []
    }

    private let state: Mutex<State>

    init(_ resources: [Resource]) {
        state = Mutex(State(idle: resources, total: resources.count))
    }

    /// Leases a resource for the duration of `body`, waiting in line while all are in use.
    func withLease<R>(_ body: (Resource) async throws -> R) async throws -> R {
        let resource = try await acquire()
        defer { release(resource) }
        return try await body(resource)
    }

    /// Refuses new leases, waits until every resource is back, and returns them (to the first caller only).
    func drain() async -> [Resource] {
        await withCheckedContinuation { continuation in
            let drained = state.withLock { state in
                state.closed = true
                state.drainers.append(continuation)
                return Self.takeIfDrained(&state)
            }
            drained?.resume()
        }
    }

    private func acquire() async throws -> Resource {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<Resource, any Error>? = state.withLock { state in
                    if state.closed { return .failure(StorageError(.closed, "the database is closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let resource = state.idle.popLast() { return .success(resource) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release(_ resource: Resource) {
        let (next, drained): (Waiter?, Drained?) = state.withLock { state in
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), nil) }
            state.idle.append(resource)
            return (nil, Self.takeIfDrained(&state))
        }
        next?.continuation.resume(returning: resource)
        drained?.resume()
    }

    /// Drainers to wake, taken under the lock together with the resources they get.
    private struct Drained {
        var drainers: [CheckedContinuation<[Resource], Never>]
        var resources: [Resource]

        func resume() {
            for (index, drainer) in drainers.enumerated() {
                drainer.resume(returning: index == 0 ? resources : [])
            }
        }
    }

    private static func takeIfDrained(_ state: inout State) -> Drained? {
        guard state.closed, !state.drainers.isEmpty, state.waiters.isEmpty, state.idle.count == state.total else {
            return nil
        }
        defer {
            state.idle = []
            state.total = 0
            state.drainers = []
        }
        return Drained(drainers: state.drainers, resources: state.idle)
    }
}
