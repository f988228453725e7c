import Foundation
import Synchronization

/// Threads of its own for CPU-heavy work (evaluating specs, linting, decoding and assembling big traces, writing
/// big documents), so the threads of Swift concurrency (one per core) stay free to answer requests and move runs
/// along while a 100k-span trace is evaluated.
///
/// `run` moves a job onto the pool and suspends the caller until it is done; `parallelFor` splits a loop across
/// the pool's threads and the calling thread. Neither blocks a cooperative thread when called from `run`.
package final class ComputePool: Sendable {
    /// One thread per core.
    package static let shared = ComputePool(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let queue: JobQueue
    /// How many threads the pool has.
    package let threadCount: Int

    package init(threads: Int) {
        threadCount = max(1, threads)
        queue = JobQueue()
        for index in 0..<threadCount {
            let queue = self.queue
            let thread = Thread { queue.work() }
            thread.name = "tracetest-compute-\(index)"
            // Deep traces and nested documents are handled without recursion, but leave room anyway.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `work` on one of the pool's threads and returns its result. Cancelling the caller does not interrupt
    /// `work` (it has no suspension points); its result is returned anyway.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.push { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    package func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.push { continuation.resume(returning: work()) }
        }
    }

    /// Calls `body` with every index of `0..<count`, spread over the pool's threads and the calling thread, and
    /// returns once every call returned. Safe to call from a pool thread: the caller takes indices itself, so it
    /// never waits for a thread that is busy elsewhere.
    package func parallelFor(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1, threadCount > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        let loop = ParallelLoop(count: count, body: body)
        for _ in 0..<min(threadCount, count - 1) { queue.push { loop.work() } }
        loop.work()
        loop.waitUntilDone()
    }

    /// `transform` of every element of `0..<count`, computed with ``parallelFor(_:_:)``, in order.
    package func map<T: Sendable>(_ count: Int, _ transform: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Mutex([T?](repeating: nil, count: count))
        parallelFor(count) { index in
            let result = transform(index)
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}

/// A FIFO of jobs that the pool's threads take from, sleeping while it is empty.
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0

    func push(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// A pool thread's loop: take the oldest job and run it, forever.
    func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}

/// The shared state of one `parallelFor`: the next index to take and how many calls have returned.
private final class ParallelLoop: Sendable {
    private let count: Int
    private let body: @Sendable (Int) -> Void
    private let next = Atomic<Int>(0)
    private let done = Mutex(0)
    private let finished = NSCondition()

    init(count: Int, body: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.body = body
    }

    func work() {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            body(index)
            let completed = done.withLock { value in
                value += 1
                return value
            }
            if completed == count {
                finished.lock()
                finished.broadcast()
                finished.unlock()
            }
        }
    }

    func waitUntilDone() {
        finished.lock()
        while done.withLock({ $0 }) < count { finished.wait() }
        finished.unlock()
    }
}
