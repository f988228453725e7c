import ServerTestSupport
import Testing
import TracetestModel
import TracetestStorage

/// Run leases on both backends: one owner at a time, renewed by its owner, taken over once expired; the run queue
/// they make.
@Suite("Run leases")
struct RunLeasesTests {
    @Test(
        "a lease is held by one owner until it expires; renewing and giving it up are the owner's",
        arguments: TestBackend.allCases)
    func oneOwnerAtATime(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let leases = store.runLeases
            #expect(try await leases.claim(testID: "t", runID: 1, owner: "a", now: 1_000, until: 31_000))
            // Another server cannot take a lease that has not expired; its owner can claim it again.
            #expect(try await !leases.claim(testID: "t", runID: 1, owner: "b", now: 20_000, until: 50_000))
            #expect(try await leases.claim(testID: "t", runID: 1, owner: "a", now: 20_000, until: 50_000))
            #expect(try await leases.holder(testID: "t", runID: 1)?.owner == "a")
            // Renewing extends every lease of the owner, and only its own.
            #expect(try await leases.claim(testID: "t", runID: 2, owner: "b", now: 20_000, until: 50_000))
            #expect(try await leases.renew(owner: "a", until: 80_000) == 1)
            #expect(try await leases.holder(testID: "t", runID: 1)?.expiresAt == 80_000)
            #expect(try await leases.holder(testID: "t", runID: 2)?.expiresAt == 50_000)
            // Once expired, another owner takes it, and the former owner's renewals no longer touch it.
            #expect(try await leases.claim(testID: "t", runID: 1, owner: "b", now: 80_001, until: 110_000))
            #expect(try await leases.holder(testID: "t", runID: 1)?.owner == "b")
            #expect(try await leases.renew(owner: "a", until: 200_000) == 0)
            // Only the owner gives it up.
            try await leases.release(testID: "t", runID: 1, owner: "a")
            #expect(try await leases.holder(testID: "t", runID: 1)?.owner == "b")
            try await leases.release(testID: "t", runID: 1, owner: "b")
            #expect(try await leases.holder(testID: "t", runID: 1) == nil)
        }
    }

    @Test(
        "writes that require a server's lease (a run's, a suite run's): taken, they are refused and change nothing",
        arguments: TestBackend.allCases)
    func writesRequiringTheLease(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            try await Self.createRuns(1, in: store)
            var run = try #require(try await store.runs.get(testID: "t", runID: 1))
            run.state = .awaitingTrace
            #expect(try await store.runs.update(run, leaseHolder: "a"))
            // Server b takes the run over once a's lease expired: a's writes are refused from then on.
            #expect(try await store.runLeases.claim(testID: "t", runID: 1, owner: "b", now: 40_000, until: 70_000))
            var late = run
            late.state = .finished
            let finished = late
            for write in [
                { try await store.runs.update(finished, leaseHolder: "a") },
                { try await store.runs.saveTrace([], document: "{}", of: finished, leaseHolder: "a") },
                { try await store.runs.append(RunEvent(.stoppedInfo, testID: "t", runID: 1), leaseHolder: "a") },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: StorageError.self) { try await write() }
                #expect(error?.code == .leaseLost)
                #expect(error?.message.contains("run t/1 is no longer this server's") == true)
            }
            #expect(try await store.runs.get(testID: "t", runID: 1)?.state == .awaitingTrace)
            #expect(try await store.runs.trace(testID: "t", runID: 1) == nil)
            #expect(try await store.runs.events(testID: "t", runID: 1).isEmpty)
            // The holder's writes, and those that name no holder, pass.
            #expect(try await store.runs.update(late, leaseHolder: "b"))
            late.state = .stopped
            #expect(try await store.runs.update(late))
            #expect(try await store.runs.get(testID: "t", runID: 1)?.state == .stopped)

            // A suite run's writes likewise, under its own lease.
            var suiteRun = try await store.suiteRuns.create(
                TestSuiteRun(
                    id: 0, testSuiteID: "s", version: 1, variableSet: RunVariableSet(), metadata: [:],
                    requiredGates: nil))
            let key = RunLeases.suiteRunKey("s")
            #expect(try await store.runLeases.claim(testID: key, runID: suiteRun.id, owner: "a", now: 0, until: 1))
            #expect(try await store.runLeases.claim(testID: key, runID: suiteRun.id, owner: "b", now: 2, until: 3))
            suiteRun.state = "FINISHED"
            let refused = await #expect(throws: StorageError.self) {
                try await store.suiteRuns.update(suiteRun, leaseHolder: "a")
            }
            #expect(refused?.message.hasPrefix("suite run s/\(suiteRun.id) is no longer this server's") == true)
            #expect(try await store.suiteRuns.get(testSuiteID: "s", runID: suiteRun.id)?.state == "CREATED")
            #expect(try await store.suiteRuns.update(suiteRun, leaseHolder: "b"))
            #expect(try await store.suiteRuns.get(testSuiteID: "s", runID: suiteRun.id)?.state == "FINISHED")
        }
    }

    @Test("of many servers claiming one run at once, exactly one gets it")
    func concurrentClaims() async throws {
        try await withStore(.postgresql) { store in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for owner in 0..<8 {
                    group.addTask {
                        try await store.runLeases.claim(
                            testID: "t", runID: 1, owner: "server-\(owner)", now: 1_000, until: 31_000)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
        }
    }

    /// Stores runs of test "t" created a second apart (run 1 oldest), each leased to `owner` until `until`.
    private static func createRuns(
        _ count: Int, in store: Store, owner: String = "a", until: Int64 = 31_000
    ) async throws {
        for second in 0..<count {
            let run = TestRun(
                id: 0, testID: "t", testVersion: 1,
                createdAt: Timestamp(microsecondsSinceEpoch: Int64(1_000_000 + second * 1_000_000)))
            _ = try await store.runs.create(run, leasedTo: (owner, until))
        }
    }

    @Test(
        "the queue: offered and expired leases of unfinished runs are taken oldest run first, live ones are not",
        arguments: TestBackend.allCases)
    func queue(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let leases = store.runLeases
            try await Self.createRuns(5, in: store)
            #expect(try await leases.holder(testID: "t", runID: 3)?.owner == "a", "a run is leased from its creation")
            #expect(try await leases.take(owner: "b", now: 10_000, until: 40_000, limit: 5).isEmpty)
            // Run 4 is offered (no free slot), run 2 too but only from 20 s on (it broke off).
            try await leases.offer(testID: "t", runID: 4, owner: "a")
            try await leases.offer(testID: "t", runID: 2, owner: "a", availableAt: 20_000)
            try await leases.offer(testID: "t", runID: 5, owner: "someone else")
            #expect(try await leases.waiting(now: 10_000) == 1)
            #expect(
                try await leases.take(owner: "b", now: 10_000, until: 40_000, limit: 5)
                    == [.init(testID: "t", runID: 4, takenOver: false)])
            #expect(try await leases.holder(testID: "t", runID: 4)?.owner == "b")
            #expect(
                try await leases.take(owner: "b", now: 25_000, until: 55_000, limit: 5)
                    == [.init(testID: "t", runID: 2, takenOver: false)])
            // Server a died: its leases expire; a finished run is no job.
            var finished = try #require(try await store.runs.get(testID: "t", runID: 3))
            finished.state = .finished
            try await store.runs.update(finished)
            #expect(try await leases.waiting(now: 32_000) == 2)
            #expect(
                try await leases.take(owner: "c", now: 32_000, until: 62_000, limit: 1)
                    == [.init(testID: "t", runID: 1, takenOver: true)], "oldest first, within the limit")
            #expect(
                try await leases.take(owner: "c", now: 32_000, until: 62_000, limit: 3)
                    == [.init(testID: "t", runID: 5, takenOver: true)])
            #expect(try await leases.waiting(now: 32_000) == 0)
            // A server going away puts its runs back; starting, it puts back only the leases from before it started.
            try await leases.offerAll(owner: "c")
            #expect(try await leases.holder(testID: "t", runID: 1)?.expiresAt == 0)
            #expect(try await leases.claim(testID: "t", runID: 1, owner: "b", now: 70_000, until: 100_000))
            try await leases.offerAll(owner: "b", expiringBefore: 90_000)
            #expect(try await leases.holder(testID: "t", runID: 2)?.owner == "", "expired at 55 s")
            #expect(try await leases.holder(testID: "t", runID: 1)?.owner == "b", "taken after it started")
        }
    }

    @Test("of servers taking from the queue at once, each gets different runs and every run is taken once")
    func concurrentTakes() async throws {
        try await withStore(.postgresql) { store in
            try await Self.createRuns(40, in: store, until: 0)
            let taken = try await withThrowingTaskGroup(of: [RunLeases.Taken].self) { group in
                for owner in 0..<8 {
                    group.addTask {
                        var mine: [RunLeases.Taken] = []
                        while true {
                            let batch = try await store.runLeases.take(
                                owner: "server-\(owner)", now: 1_000, until: 31_000, limit: 3)
                            if batch.isEmpty { return mine }
                            mine += batch
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(taken.map(\.runID).sorted() == Array(1...40))
        }
    }
}
