import Testing

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
        #expect(PostgresSettings(params: params).parameters == expected)
        #expect(PostgresParameters.parse(params).malformed.isEmpty)
    }

    @Test func malformedPiecesAreReportedAndSkipped() {
        let result = PostgresParameters.parse("sslmode=disable verbose =x")
        #expect(result.pairs == ["sslmode": "disable"])
        #expect(result.malformed == ["verbose", "=x"])
        #expect(PostgresSettings(params: "sslmode=disable verbose").parameters == ["sslmode": "disable"])
    }
}
