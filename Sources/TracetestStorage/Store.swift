import Logging
import TracetestModel

/// Every repository of the server, over one database.
package struct Store: Sendable {
    package let database: any SQLDatabase
    package let tests: TestRepository
    package let testSuites: TestSuiteRepository
    package let variableSets: VariableSetRepository
    package let demos: DemoRepository
    package let dataStores: SingletonRepository<DataStore>
    package let pollingProfiles: SingletonRepository<PollingProfile>
    package let configs: SingletonRepository<Config>
    package let analyzers: SingletonRepository<Analyzer>
    package let testRunners: SingletonRepository<TestRunner>
    package let server: ServerRecord
    package let wizard: WizardRepository
    package let runs: RunRepository
    package let runLeases: RunLeases
    package let suiteRuns: SuiteRunRepository
    package let spans: SpanRepository

    package init(database: any SQLDatabase) {
        self.database = database
        tests = TestRepository(database: database)
        testSuites = TestSuiteRepository(database: database)
        variableSets = VariableSetRepository(database: database)
        demos = DemoRepository(database: database)
        dataStores = SingletonRepository(database: database, table: "data_stores") {
            DataStore.defaultStore(createdAt: .now())
        }
        pollingProfiles = SingletonRepository(database: database, table: "polling_profiles") {
            PollingProfile.defaultProfile
        }
        configs = SingletonRepository(database: database, table: "configs") { Config.defaultConfig }
        analyzers = SingletonRepository(database: database, table: "analyzers") { Analyzer.defaultAnalyzer }
        testRunners = SingletonRepository(database: database, table: "test_runners") { TestRunner.defaultRunner }
        server = ServerRecord(database: database)
        wizard = WizardRepository(database: database)
        runs = RunRepository(database: database)
        runLeases = RunLeases(database: database)
        suiteRuns = SuiteRunRepository(database: database)
        spans = SpanRepository(database: database)
    }

    /// Brings the schema up to date.
    package func migrate(logger: Logger) async throws {
        try await Migrator.migrate(database, Schema.migrations, logger: logger)
    }
}
