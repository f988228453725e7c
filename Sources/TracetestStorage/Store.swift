import Logging
import TracetestModel

/// Every repository of the server, over one database.
public struct Store: Sendable {
    public let database: any SQLDatabase
    public let tests: TestRepository
    public let testSuites: TestSuiteRepository
    public let variableSets: VariableSetRepository
    public let demos: DemoRepository
    public let dataStores: SingletonRepository<DataStore>
    public let pollingProfiles: SingletonRepository<PollingProfile>
    public let configs: SingletonRepository<Config>
    public let analyzers: SingletonRepository<Analyzer>
    public let testRunners: SingletonRepository<TestRunner>
    public let server: ServerRecord
    public let wizard: WizardRepository
    public let runs: RunRepository
    public let suiteRuns: SuiteRunRepository
    public let spans: SpanRepository

    public init(database: any SQLDatabase) {
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
        suiteRuns = SuiteRunRepository(database: database)
        spans = SpanRepository(database: database)
    }

    /// Brings the schema up to date.
    public func migrate(logger: Logger) async throws {
        try await Migrator.migrate(database, Schema.migrations, logger: logger)
    }
}
