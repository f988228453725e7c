import Testing
import TracetestStorage

@testable import TracetestConfig

@Suite struct StorageSelectionTests {
    @Test func sqliteWithoutPostgresSectionOrVariables() throws {
        let configuration = try parse("sqlite:\n  path: my.db\n").configuration
        #expect(configuration.postgres == nil)
        #expect(configuration.storage == .sqlite(path: "my.db"))
    }

    @Test(arguments: ["postgres:\n", "postgres: {}\n", "postgres: ~\n"])
    func presentPostgresKeySelectsPostgresWithDefaults(yaml: String) throws {
        let configuration = try parse(yaml).configuration
        #expect(configuration.storage == .postgres(.configurationDefault))
    }

    @Test func postgresSectionWithSomeKeysFillsTheRestWithDefaults() throws {
        let configuration = try parse("postgres:\n  host: db\n").configuration
        var expected = PostgresConnectionSettings.configurationDefault
        expected.host = "db"
        #expect(configuration.storage == .postgres(expected))
    }

    @Test(arguments: [
        "TRACETEST_POSTGRES_HOST", "TRACETEST_POSTGRES_PORT", "TRACETEST_POSTGRES_USER", "TRACETEST_POSTGRES_PASSWORD",
        "TRACETEST_POSTGRES_DBNAME", "TRACETEST_POSTGRES_PARAMS", "TRACETEST_POSTGRES_STARTUPTIMEOUT",
    ])
    func anyPostgresVariableSelectsPostgres(variable: String) throws {
        let values = [
            "TRACETEST_POSTGRES_PORT": "5433", "TRACETEST_POSTGRES_PARAMS": "sslmode=require",
            "TRACETEST_POSTGRES_STARTUPTIMEOUT": "5s",
        ]
        let configuration = try parse("", environment: [variable: values[variable] ?? "value"]).configuration
        let postgres = try #require(configuration.postgres)
        #expect(configuration.storage == .postgres(postgres))
    }

    @Test func unknownPostgresVariableSelectsPostgresAndWarns() throws {
        let loaded = try parse("", environment: ["TRACETEST_POSTGRES_HOSTNAME": "db"])
        #expect(loaded.configuration.postgres == .configurationDefault)
        #expect(
            loaded.warnings.map(\.description) == [
                "TRACETEST_POSTGRES_HOSTNAME: unknown variable is ignored (it still selects PostgreSQL storage)"
            ]
        )
    }
}
