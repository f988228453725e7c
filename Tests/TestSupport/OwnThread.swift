import Foundation

/// Runs seconds of CPU-bound work on a thread of its own, so the two threads Swift concurrency has on this machine stay
/// free for the other tests' tasks (a test that computes on them stalls every network wait in the process).
package func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
