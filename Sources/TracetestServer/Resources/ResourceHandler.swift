import TracetestLanguage
import TracetestModel
import TracetestStorage

/// What the resource routes of one kind do with the store; the routes add the HTTP contract around it.
protocol ResourceHandler: Sendable {
    associatedtype Spec: ResourceSpec
    func list(_ query: ListQuery, augmented: Bool) async throws -> Page<Spec>
    func get(_ id: String, augmented: Bool) async throws -> Spec?
    func create(_ spec: Spec) async throws -> Spec
    /// Nil when there is no record with the spec's id.
    func update(_ spec: Spec) async throws -> Spec?
    func upsert(_ spec: Spec) async throws -> (spec: Spec, created: Bool)
    /// False when there was no record.
    func delete(_ id: String) async throws -> Bool
    /// Checks beyond the spec's own rules, before anything is saved.
    func check(_ spec: Spec) throws(ValidationError)
}

extension ResourceHandler {
    func check(_ spec: Spec) throws(ValidationError) {}
}

/// Tests: versioned; augmented reads add `version`, `createdAt` and the run summary.
struct TestHandler: ResourceHandler {
    let store: Store

    func list(_ query: ListQuery, augmented: Bool) async throws -> Page<Test> {
        var page = try await store.tests.list(query)
        page.items = try await present(page.items, augmented: augmented)
        return page
    }

    func get(_ id: String, augmented: Bool) async throws -> Test? {
        guard let test = try await store.tests.get(id) else { return nil }
        return try await present([test], augmented: augmented).first
    }

    func create(_ spec: Test) async throws -> Test { try await store.tests.create(spec).withoutReadOnlyFields }

    func update(_ spec: Test) async throws -> Test? { try await store.tests.update(spec)?.withoutReadOnlyFields }

    func upsert(_ spec: Test) async throws -> (spec: Test, created: Bool) {
        let (test, created) = try await store.tests.upsert(spec)
        return (test.withoutReadOnlyFields, created)
    }

    func delete(_ id: String) async throws -> Bool { try await store.tests.delete(id) }

    /// Selectors must parse (a test with a broken selector could only fail at run time).
    func check(_ spec: Test) throws(ValidationError) { try TestSelectors.check(spec) }

    /// Tests as a read shows them: with summaries when augmented, without read-only fields otherwise.
    func present(_ tests: [Test], augmented: Bool) async throws -> [Test] {
        guard augmented else { return tests.map(\.withoutReadOnlyFields) }
        let summaries = try await store.tests.summaries(tests.map(\.id))
        return tests.map { test in
            var test = test
            test.summary = summaries[test.id] ?? Summary()
            return test
        }
    }
}

/// Test suites: versioned; augmented reads add `version`, `createdAt`, the summary and `fullSteps`.
struct TestSuiteHandler: ResourceHandler {
    let store: Store

    func list(_ query: ListQuery, augmented: Bool) async throws -> Page<TestSuite> {
        var page = try await store.testSuites.list(query)
        page.items = try await present(page.items, augmented: augmented)
        return page
    }

    func get(_ id: String, augmented: Bool) async throws -> TestSuite? {
        guard let suite = try await store.testSuites.get(id) else { return nil }
        return try await present([suite], augmented: augmented).first
    }

    func create(_ spec: TestSuite) async throws -> TestSuite {
        try await store.testSuites.create(spec).withoutReadOnlyFields
    }

    func update(_ spec: TestSuite) async throws -> TestSuite? {
        try await store.testSuites.update(spec)?.withoutReadOnlyFields
    }

    func upsert(_ spec: TestSuite) async throws -> (spec: TestSuite, created: Bool) {
        let (suite, created) = try await store.testSuites.upsert(spec)
        return (suite.withoutReadOnlyFields, created)
    }

    func delete(_ id: String) async throws -> Bool { try await store.testSuites.delete(id) }

    func present(_ suites: [TestSuite], augmented: Bool) async throws -> [TestSuite] {
        guard augmented else { return suites.map(\.withoutReadOnlyFields) }
        let summaries = try await store.testSuites.summaries(suites.map(\.id))
        let tests = TestHandler(store: store)
        // Each distinct test is read and presented once, however many steps run it.
        var steps: [String: Test] = [:]
        for id in Set(suites.flatMap(\.steps)) {
            if let test = try await store.tests.get(id) { steps[id] = test }
        }
        let presentedSteps = try await tests.present(Array(steps.values), augmented: true)
        let byID = Dictionary(presentedSteps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return suites.map { suite in
            var suite = suite
            suite.summary = summaries[suite.id] ?? Summary()
            suite.fullSteps = suite.steps.compactMap { byID[$0] }
            return suite
        }
    }
}

/// Variable sets and demos: plain records.
struct DocumentHandler<Table: DocumentTable>: ResourceHandler {
    let repository: DocumentRepository<Table>

    func list(_ query: ListQuery, augmented: Bool) async throws -> Page<Table.Record> {
        try await repository.list(query)
    }

    func get(_ id: String, augmented: Bool) async throws -> Table.Record? { try await repository.get(id) }

    func create(_ spec: Table.Record) async throws -> Table.Record { try await repository.create(spec) }

    func update(_ spec: Table.Record) async throws -> Table.Record? { try await repository.update(spec) }

    func upsert(_ spec: Table.Record) async throws -> (spec: Table.Record, created: Bool) {
        let (record, created) = try await repository.upsert(spec)
        return (record, created)
    }

    func delete(_ id: String) async throws -> Bool { try await repository.delete(id) }
}

/// Data store, polling profile, config, analyzer, test runner: one record, `current`, never deleted.
/// Any id reads the current record.
struct SingletonHandler<Spec: ResourceSpec>: ResourceHandler {
    let repository: SingletonRepository<Spec>
    /// How the stored record is shown (the data store's secrets masked).
    var shown: @Sendable (Spec) -> Spec = { $0 }
    /// A record as sent, completed from the stored one when it needs it (secrets sent back masked are kept); the
    /// stored record is read only then.
    var completed: @Sendable (_ sent: Spec, _ stored: @Sendable () async throws -> Spec) async throws -> Spec = {
        sent, _ in sent
    }

    func list(_ query: ListQuery, augmented: Bool) async throws -> Page<Spec> {
        Page(count: 1, items: [shown(try await repository.get())])
    }

    func get(_ id: String, augmented: Bool) async throws -> Spec? { shown(try await repository.get()) }

    func create(_ spec: Spec) async throws -> Spec { try await replace(spec) }

    func update(_ spec: Spec) async throws -> Spec? { try await replace(spec) }

    /// Created (201) when the body had no id, updated (200) when it had one, as Tracetest answers.
    func upsert(_ spec: Spec) async throws -> (spec: Spec, created: Bool) {
        (try await replace(spec), spec.id.isEmpty)
    }

    private func replace(_ spec: Spec) async throws -> Spec {
        let repository = self.repository
        return shown(try await repository.replace(try await completed(spec) { try await repository.get() }))
    }

    func delete(_ id: String) async throws -> Bool {
        throw APIError(.methodNotAllowed, "resource \(Spec.kind.name) does not support the action")
    }
}
