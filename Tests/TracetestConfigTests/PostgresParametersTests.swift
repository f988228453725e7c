import Testing
import TracetestStorage

@testable import TracetestConfig

@Suite struct PostgresParametersTests {
    @Test(arguments: [
        ("sslmode=disable", ["sslmode": "disable"]),
        ("sslmode=require connect_timeout=10", ["sslmode": "require", "connect_timeout": "10"]),
        ("  sslmode=require   connect_timeout=10  ", ["sslmode": "require", "connect_timeout": "10"]),
        ("sslmode=require&application_name=tracetest", ["sslmode": "require", "application_name": "tracetest"]),
        ("application_name='my app' sslmode=disable", ["application_name": "my app", "sslmode": "disable"]),
        (#"password='it\'s & \\ ok'"#, ["password": #"it's & \ ok"#]),
        ("options=-c statement_timeout=5", ["options": "-c", "statement_timeout": "5"]),
        ("options='-c statement_timeout=5'", ["options": "-c statement_timeout=5"]),
        ("empty=", ["empty": ""]),
        ("", [:]),
    ])
    func parsesKeywordValuePairs(params: String, expected: [String: String]) {
        #expect(PostgresParameters.parse(params).pairs == expected)
        #expect(PostgresParameters.parse(params).malformed.isEmpty)
    }

    @Test func malformedPiecesAreReportedAndSkipped() {
        let result = PostgresParameters.parse("sslmode=disable verbose =x")
        #expect(result.pairs == ["sslmode": "disable"])
        #expect(result.malformed == ["verbose", "=x"])
    }
}

@Suite struct PostgresParameterCheckTests {
    static let sslModes = "disable, allow, prefer, require, verify-ca, verify-full"

    @Test func aBadSSLModeIsAnErrorNamingTheKeyAndTheValuesAllowed() throws {
        let error = try parseError("postgres:\n  params: sslmode=bogus connect_timeout=5\n")
        #expect(error.source == .position(file: "tracetest.yaml", line: 2, column: 11))
        #expect(error.keyPath == "postgres.params")
        #expect(error.message.hasSuffix(#"(sslmode "bogus" is not one of: \#(Self.sslModes))"#), "\(error)")

        let fromEnvironment = try parseError("", environment: ["TRACETEST_POSTGRES_PARAMS": "sslmode=off"])
        #expect(fromEnvironment.source == .environment(variable: "TRACETEST_POSTGRES_PARAMS"))
        #expect(fromEnvironment.description.contains(#"sslmode "off" is not one of: \#(Self.sslModes)"#))
    }

    @Test(arguments: ["abc", "-1", "1.5"])
    func connectTimeoutIsAWholeNumberOfSeconds(value: String) throws {
        let error = try parseError("postgres:\n  params: connect_timeout=\(value)\n")
        #expect(error.message.contains(#"connect_timeout "\#(value)" is not a whole number of seconds"#), "\(error)")
    }

    @Test func everySSLModeAndTheSupportedKeywordsAreAccepted() throws {
        for mode in Self.sslModes.components(separatedBy: ", ") {
            let loaded = try parse("postgres:\n  params: sslmode=\(mode) connect_timeout=7 application_name=tt\n")
            #expect(loaded.configuration.postgres?.sslMode.rawValue == mode)
            #expect(loaded.configuration.postgres?.connectTimeout == .seconds(7))
            #expect(loaded.configuration.postgres?.applicationName == "tt")
            #expect(loaded.warnings.isEmpty)
        }
        let defaults = PostgresConnectionSettings.configurationDefault
        #expect(defaults.applying(params: "connect_timeout=0").connectTimeout == .seconds(10))
        #expect(defaults.applying(params: "connect_timeout=1").connectTimeout == .seconds(2))
        #expect(defaults.applying(params: "application_name=x").sslMode == .prefer)
    }

    @Test func otherKeywordsAreIgnoredWithAWarningAtTheirPosition() throws {
        let loaded = try parse("postgres:\n  params: sslmode=disable keepalives=1 target_session_attrs=any\n")
        let supported = "(supported: sslmode, connect_timeout, application_name)"
        #expect(
            loaded.warnings.map(\.description) == [
                #"tracetest.yaml:2:11: postgres.params: "keepalives" is not supported and is ignored \#(supported)"#,
                #"tracetest.yaml:2:11: postgres.params: "target_session_attrs" is not supported and is ignored \#(supported)"#,
            ])
        // Without PostgreSQL nothing is said about its parameters.
        #expect(try parse("sqlite:\n  path: x.db\n").warnings.isEmpty)
    }
}
