import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import TracetestStorage

/// A migrated, empty store on `backend`.
func withStore<R>(_ backend: TestBackend, _ body: (Store) async throws -> R) async throws -> R {
    try await withTestDatabase(backend) { database in
        let store = Store(database: database)
        try await store.migrate(logger: testDatabaseLogger())
        return try await body(store)
    }
}

func makeTest(_ id: String, name: String = "test", assertion: String = "attr:a = 1") -> TracetestModel.Test {
    TracetestModel.Test(
        id: id,
        name: name,
        trigger: Trigger(type: "http", httpRequest: HTTPRequest(method: "GET", url: "http://x")),
        specs: [TestSpec(selector: "span", assertions: [assertion])]
    )
}

/// Inserts a finished run row, as the run engine will.
func insertRun(_ store: Store, testID: String, at time: Timestamp, pass: Int, fail: Int) async throws -> Int {
    try await store.database.transaction { db in
        let id = try await RunNumbering.next(forTest: testID, in: db)
        try await db.execute(
            "INSERT INTO test_runs (id, test_id, test_version, created_at, state, pass, fail) VALUES ($1, $2, 1, $3, 'FINISHED', $4, $5)",
            [
                .integer(Int64(id)), .text(testID), .integer(time.microsecondsSinceEpoch), .integer(Int64(pass)),
                .integer(Int64(fail)),
            ]
        )
        return id
    }
}

@Suite("Repositories")
struct RepositoryTests {
    @Test(
        "a changed test gets a new version; unchanged saves and read-only fields do not",
        arguments: TestBackend.allCases)
    func versioning(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let created = try await store.tests.create(makeTest("t"), now: Timestamp(microsecondsSinceEpoch: 1_000_000))
            #expect(created.version == 1)
            var same = makeTest("t")
            same.version = 9
            same.summary = Summary(runs: 4)
            #expect(try await store.tests.update(same)?.version == 1)
            let changed = try await store.tests.update(makeTest("t", assertion: "attr:a = 2"))
            #expect(changed?.version == 2)
            #expect(changed?.createdAt == Timestamp(microsecondsSinceEpoch: 1_000_000))
            #expect(try await store.tests.get("t")?.specs.first?.assertions == ["attr:a = 2"])
            #expect(try await store.tests.get("t", version: 1)?.specs.first?.assertions == ["attr:a = 1"])
            #expect(try await store.tests.list(ListQuery()).count == 1)
            #expect(try await store.tests.update(makeTest("missing")) == nil)
        }
    }

    @Test("the schema refuses a second latest version of a test or suite", arguments: TestBackend.allCases)
    func oneLatestVersion(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            _ = try await store.tests.create(makeTest("t"))
            _ = try await store.testSuites.create(TestSuite(id: "s", name: "suite"))
            let statements = [
                """
                INSERT INTO tests (id, version, name, description, service_under_test, specs, outputs,
                    skip_trace_collection, created_at, is_latest)
                VALUES ('t', 2, 'n', '', '{}', '[]', '[]', FALSE, 0, TRUE)
                """,
                "INSERT INTO test_suites (id, version, name, description, created_at, is_latest) "
                    + "VALUES ('s', 2, 'n', '', 0, TRUE)",
            ]
            for statement in statements {
                let error = await #expect(throws: StorageError.self) {
                    try await store.database.transaction { db in try await db.execute(statement) }
                }
                #expect(error?.isUniqueViolation == true, "\(statement)")
            }
            // An older version beside the latest one is fine.
            try await store.database.transaction { db in
                try await db.execute(
                    "INSERT INTO test_suites (id, version, name, description, created_at, is_latest) "
                        + "VALUES ('s', 2, 'n', '', 0, FALSE)")
            }
        }
    }

    @Test("upsert creates, then updates", arguments: TestBackend.allCases)
    func upsert(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let first = try await store.testSuites.upsert(TestSuite(id: "s", name: "a", steps: ["x"]))
            #expect(first.created && first.record.version == 1)
            let second = try await store.testSuites.upsert(TestSuite(id: "s", name: "a", steps: ["x", "y"]))
            #expect(!second.created && second.record.version == 2)
            #expect(try await store.testSuites.get("s", version: 1)?.steps == ["x"])
            #expect(try await store.testSuites.get("s")?.steps == ["x", "y"])
        }
    }

    @Test("concurrent upserts of one new id create it once", arguments: TestBackend.allCases)
    func concurrentUpserts(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask { try await store.tests.upsert(makeTest("race", name: "n\(index % 2)")).created }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await store.tests.list(ListQuery()).count == 1)
        }
    }

    @Test("run numbers count per test and restart when the test is deleted", arguments: TestBackend.allCases)
    func runNumbers(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            _ = try await store.tests.create(makeTest("a"))
            _ = try await store.tests.create(makeTest("b"))
            let now = Timestamp.now()
            #expect(try await insertRun(store, testID: "a", at: now, pass: 1, fail: 0) == 1)
            #expect(try await insertRun(store, testID: "a", at: now.adding(microseconds: 1), pass: 1, fail: 0) == 2)
            #expect(try await insertRun(store, testID: "b", at: now, pass: 1, fail: 0) == 1)
            #expect(try await insertRun(store, testID: "a", at: now.adding(microseconds: 2), pass: 1, fail: 0) == 3)
            #expect(try await store.tests.delete("a"))
            let runsLeft = try await store.database.read { db in
                try await db.query("SELECT COUNT(*) AS n FROM test_runs WHERE test_id = 'a'").first?.int("n")
            }
            #expect(runsLeft == 0)
            _ = try await store.tests.create(makeTest("a"))
            #expect(try await insertRun(store, testID: "a", at: now, pass: 1, fail: 0) == 1)
            #expect(try await store.database.transaction { try await RunNumbering.next(forSuite: "s", in: $0) } == 1)
            #expect(try await store.database.transaction { try await RunNumbering.next(forSuite: "s", in: $0) } == 2)
        }
    }

    @Test("summaries count all runs and report the newest; last_run orders tests", arguments: TestBackend.allCases)
    func summariesAndLastRunOrder(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let base = Timestamp(rfc3339: "2024-05-01T12:00:00Z")!
            for id in ["early", "late", "never"] { _ = try await store.tests.create(makeTest(id, name: id)) }
            _ = try await insertRun(store, testID: "late", at: base, pass: 1, fail: 1)
            _ = try await insertRun(store, testID: "late", at: base.adding(microseconds: 5_000_000), pass: 3, fail: 0)
            _ = try await insertRun(store, testID: "early", at: base.adding(microseconds: 1_000_000), pass: 0, fail: 2)
            let summaries = try await store.tests.summaries(["late", "early", "never"])
            #expect(
                summaries["late"]
                    == Summary(runs: 2, lastRun: .init(time: base.adding(microseconds: 5_000_000), passes: 3)))
            #expect(summaries["early"]?.lastRun.fails == 2)
            #expect(summaries["never"] == Summary())
            let ordered = try await store.tests.list(ListQuery(sortBy: "last_run"))
            #expect(ordered.items.map(\.id) == ["late", "early", "never"])
            let ascending = try await store.tests.list(ListQuery(sortBy: "last_run", ascending: true))
            #expect(ascending.items.map(\.id) == ["never", "early", "late"])
        }
    }

    @Test("document lists search, sort and page; demos search by name only", arguments: TestBackend.allCases)
    func documentLists(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            for (index, name) in ["Staging EU", "production", "staging us"].enumerated() {
                _ = try await store.variableSets.create(
                    VariableSet(id: "v\(index)", name: name, description: index == 1 ? "the real one" : ""),
                    now: Timestamp(microsecondsSinceEpoch: Int64(index))
                )
            }
            let staging = try await store.variableSets.list(
                ListQuery(query: "staging", sortBy: "name", ascending: true))
            #expect(staging.count == 2)
            #expect(staging.items.map(\.id) == ["v0", "v2"])
            #expect(try await store.variableSets.list(ListQuery(query: "REAL one")).items.map(\.id) == ["v1"])
            #expect(try await store.variableSets.list(ListQuery()).items.map(\.id) == ["v2", "v1", "v0"])
            let page = try await store.variableSets.list(
                ListQuery(take: 1, skip: 1, sortBy: "createdAt", ascending: true))
            #expect(page.count == 3 && page.items.map(\.id) == ["v1"])

            _ = try await store.demos.create(Demo(id: "d1", name: "Pokeshop", type: "pokeshop"))
            _ = try await store.demos.create(Demo(id: "d2", name: "Store", type: "otelstore"))
            #expect(try await store.demos.list(ListQuery(query: "poke")).items.map(\.id) == ["d1"])
            #expect(try await store.demos.list(ListQuery()).items.map(\.id) == ["d2", "d1"])
            #expect(
                try await store.demos.list(ListQuery(sortBy: "type", ascending: true)).items.map(\.id) == ["d2", "d1"])
        }
    }

    @Test(
        "every page of a list has the full count, the last one and one past the end too",
        arguments: TestBackend.allCases)
    func pagingCounts(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            for index in 0..<5 {
                _ = try await store.tests.create(
                    makeTest("t\(index)", name: index < 3 ? "alpha \(index)" : "beta"),
                    now: Timestamp(microsecondsSinceEpoch: Int64(index)))
                _ = try await store.variableSets.create(
                    VariableSet(id: "v\(index)", name: "set \(index)"),
                    now: Timestamp(microsecondsSinceEpoch: Int64(index)))
                _ = try await store.runs.create(
                    TestRun(
                        id: 0, testID: "t0", testVersion: 1,
                        createdAt: Timestamp(microsecondsSinceEpoch: Int64(1_000_000 + index))))
            }
            // (take, skip) → ids on the page; the count is 5 on every page.
            let pages: [(Int, Int, [String])] = [
                (2, 0, ["t0", "t1"]), (2, 2, ["t2", "t3"]), (2, 4, ["t4"]), (5, 0, ["t0", "t1", "t2", "t3", "t4"]),
                (6, 0, ["t0", "t1", "t2", "t3", "t4"]), (2, 5, []), (2, 9, []),
                (ListQuery.maximum, 0, ["t0", "t1", "t2", "t3", "t4"]), (2, ListQuery.maximum, []),
            ]
            for (take, skip, ids) in pages {
                let tests = try await store.tests.list(
                    ListQuery(take: take, skip: skip, sortBy: "created", ascending: true))
                #expect(tests.count == 5 && tests.items.map(\.id) == ids, "take \(take) skip \(skip)")
                let sets = try await store.variableSets.list(
                    ListQuery(take: take, skip: skip, sortBy: "createdAt", ascending: true))
                #expect(sets.count == 5 && sets.items.map(\.id) == ids.map { "v" + $0.dropFirst() })
                let runs = try await store.runs.list(testID: "t0", take: take, skip: skip)
                #expect(runs.count == 5 && runs.items.count == ids.count, "take \(take) skip \(skip)")
            }
            let search = try await store.tests.list(ListQuery(take: 2, query: "alpha", sortBy: "name", ascending: true))
            #expect(search.count == 3 && search.items.map(\.id) == ["t0", "t1"])
            let lastOfSearch = try await store.tests.list(
                ListQuery(take: 2, skip: 2, query: "alpha", sortBy: "name", ascending: true))
            #expect(lastOfSearch.count == 3 && lastOfSearch.items.map(\.id) == ["t2"])
            #expect(try await store.tests.list(ListQuery(query: "gamma")).count == 0)
            #expect(try await store.runs.list(testID: "t1", take: 2, skip: 0).count == 0)
        }
    }

    @Test("variable sets keep createdAt across updates", arguments: TestBackend.allCases)
    func createdAtKept(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            let created = try await store.variableSets.create(
                VariableSet(id: "v", name: "a"), now: Timestamp(microsecondsSinceEpoch: 42))
            #expect(created.createdAt == Timestamp(microsecondsSinceEpoch: 42))
            let updated = try await store.variableSets.update(
                VariableSet(id: "v", name: "b"), now: Timestamp(microsecondsSinceEpoch: 99))
            #expect(updated?.createdAt == Timestamp(microsecondsSinceEpoch: 42))
            #expect(try await store.variableSets.get("v")?.name == "b")
        }
    }

    @Test("singletons read defaults until replaced", arguments: TestBackend.allCases)
    func singletons(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.testRunners.get() == TestRunner.defaultRunner)
            #expect(try await store.analyzers.get() == Analyzer.defaultAnalyzer)
            let stored = try await store.testRunners.replace(
                TestRunner(id: "x", name: "strict", requiredGates: ["analyzer-score"]))
            #expect(stored.id == "current")
            #expect(try await store.testRunners.get().requiredGates == ["analyzer-score"])
            let first = try await store.dataStores.replace(
                DataStore(name: "J", type: "otlp"), now: Timestamp(microsecondsSinceEpoch: 7))
            let second = try await store.dataStores.replace(
                DataStore(name: "K", type: "otlp"), now: Timestamp(microsecondsSinceEpoch: 8))
            #expect(first.createdAt == second.createdAt)
            #expect(second.isDefault)
        }
    }

    @Test("install runs once; a failed set-up leaves a new installation", arguments: TestBackend.allCases)
    func install(backend: TestBackend) async throws {
        try await withStore(backend) { store in
            struct SetUpFailed: Error {}
            await #expect(throws: SetUpFailed.self) {
                _ = try await store.server.install { db in
                    _ = try await store.configs.replace(Config(analyticsEnabled: false), in: db)
                    throw SetUpFailed()
                }
            }
            #expect(try await store.server.serverID() == nil)
            #expect(try await store.configs.get() == Config.defaultConfig)
            let installed = try await store.server.install { _ in 1 }
            #expect(installed?.serverID.count == 10)
            #expect(try await store.server.serverID() == installed?.serverID)
            #expect(try await store.server.install { _ in 2 } == nil)
        }
    }
}
