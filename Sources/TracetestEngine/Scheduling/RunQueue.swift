/// A run of a test: the test's id and the run's number.
struct RunKey: Hashable, Sendable, CustomStringConvertible {
    var testID: String
    var runID: Int

    var description: String { "\(testID)/\(runID)" }
}

/// Which runs execute now and which wait for a slot, first come first served; pure bookkeeping, no I/O.
struct RunQueue<Job: Sendable>: Sendable {
    let limit: Int
    private(set) var running: Set<RunKey> = []
    private var waiting: [(key: RunKey, job: Job)] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// How many more jobs would start at once.
    var freeSlots: Int { max(0, limit - running.count - waiting.count) }

    var hasFreeSlot: Bool { freeSlots > 0 }

    /// The job to start now, or nil when it waits for a slot.
    mutating func submit(_ key: RunKey, _ job: Job) -> Job? {
        guard running.count < limit else {
            waiting.append((key, job))
            return nil
        }
        running.insert(key)
        return job
    }

    /// Frees the run's slot; returns the waiting jobs that start now.
    mutating func finished(_ key: RunKey) -> [Job] {
        running.remove(key)
        var started: [Job] = []
        while running.count < limit, !waiting.isEmpty {
            let next = waiting.removeFirst()
            running.insert(next.key)
            started.append(next.job)
        }
        return started
    }

    /// Takes a waiting job out of the queue (a stop before it started); nil when it is not waiting.
    mutating func withdraw(_ key: RunKey) -> Job? {
        guard let index = waiting.firstIndex(where: { $0.key == key }) else { return nil }
        return waiting.remove(at: index).job
    }
}
