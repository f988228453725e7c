import Testing
import TracetestModel
import TracetestStorage

@testable import TracetestConfig

@Suite struct EnvironmentTests {
    @Test func variablesOverrideEveryKindOfScalar() throws {
        let environment = [
            "TRACETEST_SERVER_HTTPPORT": "9999",
            "TRACETEST_SERVER_PATHPREFIX": "/prefix",
            "TRACETEST_SERVER_HOST": "::1",
            "TRACETEST_SERVER_MAXPARALLELRUNS": "4",
            "TRACETEST_SQLITE_PATH": "/data/tt.db",
            "TRACETEST_OTLPSERVER_ENABLED": "false",
            "TRACETEST_OTLPSERVER_HOST": "10.0.0.1",
            "TRACETEST_OTLPSERVER_GRPCPORT": "24317",
            "TRACETEST_OTLPSERVER_HTTPPORT": "24318",
            "TRACETEST_OTLPSERVER_MAXMESSAGEBYTES": "2048",
            "TRACETEST_EXPERIMENTALFEATURES": "one,two three",
            "TRACETEST_SERVER_AUTH_TOKEN": "api-secret",
            "TRACETEST_OTLPSERVER_AUTH_TOKEN": "otlp-secret",
        ]
        let configuration = try parse("", environment: environment).configuration
        #expect(configuration.server.authToken == "api-secret")
        #expect(configuration.server.httpPort == 9999)
        #expect(configuration.server.pathPrefix == "/prefix")
        #expect(configuration.server.host == "::1")
        #expect(configuration.server.maxParallelRuns == 4)
        #expect(configuration.sqlite.path == "/data/tt.db")
        #expect(configuration.storage == .sqlite(path: "/data/tt.db"))
        #expect(
            configuration.otlpServer
                == OTLPServerSettings(
                    enabled: false, host: "10.0.0.1", grpcPort: 24317, httpPort: 24318, maxMessageBytes: 2048,
                    authToken: "otlp-secret")
        )
        #expect(configuration.experimentalFeatures == ["one", "two", "three"])
    }

    @Test func postgresVariables() throws {
        let environment = [
            "TRACETEST_POSTGRES_HOST": "pg",
            "TRACETEST_POSTGRES_PORT": "15432",
            "TRACETEST_POSTGRES_USER": "me",
            "TRACETEST_POSTGRES_PASSWORD": "pw",
            "TRACETEST_POSTGRES_DBNAME": "db",
            "TRACETEST_POSTGRES_PARAMS": "sslmode=verify-full&connect_timeout=3",
            "TRACETEST_POSTGRES_STARTUPTIMEOUT": "90s",
        ]
        let configuration = try parse("", environment: environment).configuration
        let expected = PostgresConnectionSettings(
            host: "pg",
            port: 15432,
            user: "me",
            password: "pw",
            database: "db",
            sslMode: .verifyFull,
            connectTimeout: .seconds(3),
            startupTimeout: .seconds(90)
        )
        #expect(configuration.postgres == expected)
        #expect(configuration.storage == .postgres(expected))
    }

    @Test func telemetryExporterNamesFromVariables() throws {
        let yaml = """
            telemetry:
              exporters:
                a: {exporter: {collector: {endpoint: "a:4317"}}}
                b: {exporter: {collector: {endpoint: "b:4317"}}}
            server:
              telemetry:
                exporter: a
            """
        let environment = [
            "TRACETEST_SERVER_TELEMETRY_EXPORTER": "b",
            "TRACETEST_SERVER_TELEMETRY_APPLICATIONEXPORTER": "a",
            "TRACETEST_SERVER_TELEMETRY_DATASTORE": "whatever",
        ]
        let telemetry = try parse(yaml, environment: environment).configuration.server.telemetry
        #expect(telemetry == ServerTelemetrySettings(exporter: "b", applicationExporter: "a", dataStore: "whatever"))
    }

    @Test func variablesWinOverTheFile() throws {
        let yaml = "server:\n  httpPort: 8080\nsqlite:\n  path: file.db\nexperimentalFeatures: [x]\n"
        let environment = [
            "TRACETEST_SERVER_HTTPPORT": "8081",
            "TRACETEST_SQLITE_PATH": "env.db",
            "TRACETEST_EXPERIMENTALFEATURES": "y",
        ]
        let configuration = try parse(yaml, environment: environment).configuration
        #expect(configuration.server.httpPort == 8081)
        #expect(configuration.sqlite.path == "env.db")
        #expect(configuration.experimentalFeatures == ["y"])
    }

    @Test func emptyVariablesCountAsUnset() throws {
        let environment = ["TRACETEST_SERVER_HTTPPORT": "", "TRACETEST_POSTGRES_HOST": ""]
        let configuration = try parse("server:\n  httpPort: 8080\n", environment: environment).configuration
        #expect(configuration.server.httpPort == 8080)
        #expect(configuration.postgres == nil)
    }

    @Test func unrelatedVariablesAreIgnoredSilently() throws {
        let environment = [
            "TRACETEST_DEV": "1", "TRACETEST_SERVER_URL": "http://x", "TRACETEST_PROVISIONING": "", "HOME": "/root",
        ]
        let loaded = try parse("", environment: environment)
        #expect(loaded.configuration == ServerConfiguration())
        #expect(loaded.warnings.isEmpty)
    }

    @Test func invalidVariableNamesTheVariable() throws {
        let error = try parseError("", environment: ["TRACETEST_SERVER_HTTPPORT": "abc"])
        #expect(
            error.description
                == #"TRACETEST_SERVER_HTTPPORT: expected a port number between 0 and 65535 (0 picks a free port), got "abc""#
        )
        #expect(error.source == .environment(variable: "TRACETEST_SERVER_HTTPPORT"))
        #expect(error.keyPath == "server.httpPort")
    }

    @Test(arguments: [
        ("TRACETEST_OTLPSERVER_ENABLED", "maybe", "expected true or false, got \"maybe\""),
        (
            "TRACETEST_OTLPSERVER_GRPCPORT", "-1",
            "expected a port number between 0 and 65535 (0 picks a free port), got \"-1\""
        ),
        ("TRACETEST_OTLPSERVER_MAXMESSAGEBYTES", "-1", "expected a number of bytes greater than 0"),
        ("TRACETEST_POSTGRES_STARTUPTIMEOUT", "10", "missing unit after 10"),
        ("TRACETEST_POSTGRES_PORT", "99999", "between 1 and 65535, got \"99999\""),
        ("TRACETEST_POSTGRES_PARAMS", "sslmode", "\"sslmode\" is not keyword=value"),
        ("TRACETEST_SQLITE_PATH", "  ", "expected a non-empty text value"),
    ])
    func invalidVariables(variable: String, value: String, expected: String) throws {
        let error = try parseError("", environment: [variable: value])
        #expect(error.description.hasPrefix("\(variable): "))
        #expect(error.description.contains(expected))
    }

    @Test func exporterReferenceFromVariableIsChecked() throws {
        let error = try parseError("", environment: ["TRACETEST_SERVER_TELEMETRY_EXPORTER": "nope"])
        #expect(
            error.description
                == #"TRACETEST_SERVER_TELEMETRY_EXPORTER: invalid exporter option: "nope". Available options: []; "#
                + "use the name of an entry of telemetry.exporters, or leave it empty to turn this telemetry off"
        )
    }

    @Test func exportersCannotBeSetFromVariables() throws {
        let loaded = try parse("", environment: ["TRACETEST_TELEMETRY_EXPORTERS_OTEL_SAMPLING": "100"])
        #expect(loaded.configuration.telemetry.exporters.isEmpty)
        #expect(
            loaded.warnings.map(\.description) == [
                "TRACETEST_TELEMETRY_EXPORTERS_OTEL_SAMPLING: ignored: telemetry.exporters can only be set in the configuration file"
            ]
        )
    }

    @Test func ignoredUpstreamVariablesWarn() throws {
        let environment = [
            "TRACETEST_NATS_ENDPOINT": "nats:4222",
            "TRACETEST_TESTPIPELINES_TRIGGEREXECUTE_ENABLED": "true",
            "TRACETEST_ANALYTICS_SERVERKEY": "k",
        ]
        let loaded = try parse("", environment: environment)
        #expect(
            loaded.warnings.map(\.description).sorted() == [
                "TRACETEST_ANALYTICS_SERVERKEY: accepted for compatibility with Tracetest and ignored",
                "TRACETEST_NATS_ENDPOINT: accepted for compatibility with Tracetest and ignored",
                "TRACETEST_TESTPIPELINES_TRIGGEREXECUTE_ENABLED: accepted for compatibility with Tracetest and ignored",
            ]
        )
    }

    @Test func postgresConnStringVariableIsAnError() throws {
        let error = try parseError("", environment: ["TRACETEST_POSTGRESCONNSTRING": "host=x user=y"])
        #expect(error.source == .environment(variable: "TRACETEST_POSTGRESCONNSTRING"))
        #expect(
            error.description
                == "TRACETEST_POSTGRESCONNSTRING: this variable is no longer supported; use TRACETEST_POSTGRES_HOST, "
                + "TRACETEST_POSTGRES_PORT, TRACETEST_POSTGRES_USER, TRACETEST_POSTGRES_PASSWORD, "
                + "TRACETEST_POSTGRES_DBNAME and TRACETEST_POSTGRES_PARAMS instead"
        )
    }
}
