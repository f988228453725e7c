import ServerTestSupport
import Testing
import TracetestStorage

/// Run leases on both backends: one owner at a time, renewed by its owner, taken over once expired.
@Suite("Run leases")
struct RunLeasesTests {
    @Test(
        "a lease is held by one owner until it expires; renewing and giving it up are the owner's",
        arguments: TestBackend.allCases)
    func oneOwnerAtATime(backend: TestBackend) async throws {
        try await withTestDatabase(backend) { database in
            let store = Store(database: database)
            try await store.migrate(logger: testDatabaseLogger())
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

    @Test("of many servers claiming one run at once, exactly one gets it")
    func concurrentClaims() async throws {
        try await withTestDatabase(.postgresql) { database in
            let store = Store(database: database)
            try await store.migrate(logger: testDatabaseLogger())
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
}
