import Foundation

// Runs blocking C calls on a thread of their own, so they never hold a thread of Swift's cooperative pool.
enum DedicatedThread {
    static func run<Value: Sendable>(named name: String, _ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = name
            thread.start()
        }
    }
}
