/// Bounds how many tests hold a database (and the servers on it) at once. Swift Testing starts every test at once;
/// with each in-process server holding a dozen files and sockets, an unbounded run opens over a thousand file
/// descriptors, and Foundation's `Process.run()` then crashes reading `/proc/self/fd`.
actor TestSlots {
    static let databases = TestSlots(limit: 10)
    static let servers = TestSlots(limit: 10)

    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        available = limit
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// Runs `body` once one of `slots` is free, and frees it afterwards.
func withSlot<R>(_ slots: TestSlots, _ body: () async throws -> R) async throws -> R {
    await slots.acquire()
    do {
        let result = try await body()
        await slots.release()
        return result
    } catch {
        await slots.release()
        throw error
    }
}
