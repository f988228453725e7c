import Testing

@testable import TracetestConfig

@Suite struct ValidationErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        var expected: String
        var testDescription: String { expected }
    }

    /// Each bad file and the whole message it must produce: file:line:column: key: what was given and what is allowed.
    @Test(arguments: [
        Case(
            yaml: "server:\n  httpPort: abc\n",
            expected:
                #"tracetest.yaml:2:13: server.httpPort: expected a port number between 0 and 65535 (0 picks a free port), got "abc""#
        ),
        Case(
            yaml: "server:\n  httpPort: [1]\n",
            expected:
                "tracetest.yaml:2:13: server.httpPort: expected a port number between 0 and 65535 (0 picks a free port), got a list"
        ),
        Case(
            yaml: "server:\n  httpPort: {a: 1}\n",
            expected:
                "tracetest.yaml:2:13: server.httpPort: expected a port number between 0 and 65535 (0 picks a free port), got a mapping"
        ),
        Case(
            yaml: "server:\n  httpPort: -1\n",
            expected:
                #"tracetest.yaml:2:13: server.httpPort: expected a port number between 0 and 65535 (0 picks a free port), got "-1""#
        ),
        Case(
            yaml: "otlpServer:\n  grpcPort: 65536\n",
            expected:
                #"tracetest.yaml:2:13: otlpServer.grpcPort: expected a port number between 0 and 65535 (0 picks a free port), got "65536""#
        ),
        Case(
            yaml: "otlpServer:\n  httpPort: 43.18\n",
            expected:
                #"tracetest.yaml:2:13: otlpServer.httpPort: expected a port number between 0 and 65535 (0 picks a free port), got "43.18""#
        ),
        Case(
            yaml: "postgres:\n  port: -1\n",
            expected: #"tracetest.yaml:2:9: postgres.port: expected a port number between 1 and 65535, got "-1""#
        ),
        Case(
            yaml: "server: 5\n",
            expected:
                #"tracetest.yaml:1:9: server: expected a mapping with the keys httpPort, pathPrefix, host, instanceName, maxParallelRuns, telemetry, auth, tls, got "5""#
        ),
        Case(
            yaml: "server:\n  telemetry: [a]\n",
            expected:
                "tracetest.yaml:2:14: server.telemetry: expected a mapping with the keys exporter, applicationExporter, "
                + "dataStore, got a list"
        ),
        Case(
            yaml: "- server\n",
            expected:
                "tracetest.yaml:1:1: expected a mapping with the keys postgres, sqlite, server, telemetry, otlpServer, "
                + "experimentalFeatures, got a list"
        ),
        Case(
            yaml: "just text\n",
            expected:
                "tracetest.yaml:1:1: expected a mapping with the keys postgres, sqlite, server, telemetry, otlpServer, "
                + #"experimentalFeatures, got "just text""#
        ),
        Case(
            yaml: "otlpServer:\n  enabled: yes\n",
            expected: #"tracetest.yaml:2:12: otlpServer.enabled: expected true or false, got "yes""#
        ),
        Case(
            yaml: "otlpServer:\n  maxMessageBytes: 0\n",
            expected: "tracetest.yaml:2:20: otlpServer.maxMessageBytes: expected a number of bytes greater than 0, "
                + #"such as 67108864 for 64 MiB, got "0""#
        ),
        Case(
            yaml: "otlpServer:\n  maxMessageBytes: 64MiB\n",
            expected: "tracetest.yaml:2:20: otlpServer.maxMessageBytes: expected a number of bytes greater than 0, "
                + #"such as 67108864 for 64 MiB, got "64MiB""#
        ),
        Case(
            yaml: "postgres:\n  startupTimeout: 5x\n",
            expected:
                "tracetest.yaml:2:19: postgres.startupTimeout: expected a duration of 0s or more, such as 30s or 2m, "
                + #"got "5x" (unknown unit "x")"#
        ),
        Case(
            yaml: "postgres:\n  startupTimeout: -1s\n",
            expected:
                "tracetest.yaml:2:19: postgres.startupTimeout: expected a duration of 0s or more, such as 30s or 2m, "
                + #"got "-1s""#
        ),
        Case(
            yaml: "postgres:\n  params: sslmode=disable timeout\n",
            expected: "tracetest.yaml:2:11: postgres.params: expected keyword=value pairs separated by spaces, such as "
                + #""sslmode=require connect_timeout=10", got "sslmode=disable timeout" ("timeout" is not keyword=value)"#
        ),
        Case(
            yaml: "sqlite:\n  path: ''\n",
            expected: #"tracetest.yaml:2:9: sqlite.path: expected a non-empty text value, got """#
        ),
        Case(
            yaml: "experimentalFeatures: {a: 1}\n",
            expected: "tracetest.yaml:1:23: experimentalFeatures: expected a list of names, got a mapping"
        ),
        Case(
            yaml: "experimentalFeatures:\n  - [a]\n",
            expected:
                "tracetest.yaml:2:3: experimentalFeatures: expected a list of names, got a list of lists or mappings"
        ),
        Case(
            yaml: "telemetry:\n  exporters: [otel]\n",
            expected: "tracetest.yaml:2:14: telemetry.exporters: expected a mapping from exporter names to exporter "
                + "settings, got a list"
        ),
        Case(
            yaml: "telemetry:\n  exporters:\n    otel: 1\n",
            expected: "tracetest.yaml:3:11: telemetry.exporters.otel: expected a mapping with the keys serviceName, "
                + #"sampling, metricsReaderInterval, exporter, got "1""#
        ),
    ])
    func positionedError(testCase: Case) throws {
        let error = try parseError(testCase.yaml)
        #expect(error.description == testCase.expected)
    }

    static func exporter(_ lines: String) -> String {
        "telemetry:\n  exporters:\n    otel:\n" + lines
    }

    @Test func exporterTypeMustBeCollectorOrOTLPHTTP() throws {
        let error = try parseError(Self.exporter("      exporter:\n        type: zipkin\n"))
        #expect(
            error.description
                == "tracetest.yaml:5:15: telemetry.exporters.otel.exporter.type: "
                + #"expected one of "collector", "otlphttp", got "zipkin""#
        )
    }

    @Test(arguments: ["otel-collector", "otel-collector:99999", "ftp://c:4317", "http://c:4317/v1/traces", ":4317"])
    func collectorEndpointMustBeHostPortOrURL(value: String) throws {
        let error = try parseError(Self.exporter("      exporter:\n        collector:\n          endpoint: \(value)\n"))
        #expect(error.source == .position(file: "tracetest.yaml", line: 6, column: 21))
        #expect(error.keyPath == "telemetry.exporters.otel.exporter.collector.endpoint")
        #expect(
            error.message
                == "expected an OTLP/gRPC host:port such as otel-collector:4317, or a URL such as "
                + "http://otel-collector:4317 or https://otel-collector:4317, got \"\(value)\"")
    }

    @Test(arguments: ["otel-collector:4318", "grpc://c:4318", "http://"])
    func otlpHTTPEndpointMustBeAURL(value: String) throws {
        let yaml = Self.exporter(
            "      exporter:\n        type: otlphttp\n        otlphttp:\n          endpoint: \(value)\n")
        let error = try parseError(yaml)
        #expect(error.source == .position(file: "tracetest.yaml", line: 7, column: 21))
        #expect(
            error.description
                == "tracetest.yaml:7:21: telemetry.exporters.otel.exporter.otlphttp.endpoint: expected an OTLP/HTTP "
                + "URL such as http://otel-collector:4318, got \"\(value)\"")
    }

    @Test func otlpHTTPNeedsItsEndpoint() throws {
        let yaml = Self.exporter(
            "      exporter:\n        type: otlphttp\n        collector:\n          endpoint: c:4317\n")
        let error = try parseError(yaml)
        #expect(
            error.description
                == "tracetest.yaml:3:5: telemetry.exporters.otel.exporter.otlphttp.endpoint: missing; type otlphttp "
                + "sends to the URL of an OTLP/HTTP receiver, such as http://otel-collector:4318"
        )
    }

    @Test(arguments: ["150", "-1", "abc", "[50]"])
    func samplingMustBeAPercentage(value: String) throws {
        let error = try parseError(Self.exporter("      sampling: \(value)\n"))
        #expect(error.source == .position(file: "tracetest.yaml", line: 4, column: 17))
        #expect(error.keyPath == "telemetry.exporters.otel.sampling")
        #expect(error.description.contains("expected a percentage between 0 and 100, got "))
    }

    @Test(arguments: ["0s", "0", "-5s", "10", "soon"])
    func metricsReaderIntervalMustBeAPositiveDuration(value: String) throws {
        let error = try parseError(Self.exporter("      metricsReaderInterval: \(value)\n"))
        #expect(error.source == .position(file: "tracetest.yaml", line: 4, column: 30))
        #expect(
            error.description.contains(
                "telemetry.exporters.otel.metricsReaderInterval: expected a duration greater than 0"))
    }

    @Test func exporterNeedsAnEndpoint() throws {
        let error = try parseError(Self.exporter("      serviceName: tt\n"))
        #expect(
            error.description
                == "tracetest.yaml:3:5: telemetry.exporters.otel.exporter.collector.endpoint: missing; "
                + "set it to the OTLP/gRPC address of your collector, such as otel-collector:4317"
        )
    }

    @Test func unknownExporterNameIsAnErrorAtTheValue() throws {
        let yaml = """
            telemetry:
              exporters:
                otel: {exporter: {collector: {endpoint: "a:4317"}}}
                jaeger: {exporter: {collector: {endpoint: "b:4317"}}}
            server:
              telemetry:
                exporter: otel
                applicationExporter: zipkin
            """
        let error = try parseError(yaml)
        #expect(error.source == .position(file: "tracetest.yaml", line: 8, column: 26))
        #expect(error.keyPath == "server.telemetry.applicationExporter")
        #expect(error.message == #"invalid exporter option: "zipkin". Available options: [otel, jaeger]"#)
        #expect(
            error.description.hasPrefix(
                #"tracetest.yaml:8:26: server.telemetry.applicationExporter: invalid exporter option: "zipkin"."#
            )
        )
    }

    @Test func exporterNameWithoutAnyExporters() throws {
        let error = try parseError("server:\n  telemetry:\n    exporter: otel\n")
        #expect(error.message == #"invalid exporter option: "otel". Available options: []"#)
        #expect(error.source == .position(file: "tracetest.yaml", line: 3, column: 15))
    }

    @Test func malformedYAMLReportsThePosition() throws {
        let error = try parseError("server:\n  httpPort: 1\n pathPrefix: /x\n")
        guard case .position(let file, let line, _) = error.source else {
            Issue.record("expected a position, got \(String(describing: error.source))")
            return
        }
        #expect(file == "tracetest.yaml")
        #expect(line == 3)
        #expect(error.keyPath == nil)
        #expect(error.description.hasPrefix("tracetest.yaml:3:"))
        #expect(error.description.contains("invalid YAML: "))
    }

    @Test func unclosedFlowSequence() throws {
        let error = try parseError("experimentalFeatures: [a, b\nserver: {}\n")
        #expect(error.description.hasPrefix("tracetest.yaml:"))
        #expect(error.message.hasPrefix("invalid YAML: "))
    }

    @Test func duplicateKeys() throws {
        let error = try parseError("server:\n  httpPort: 1\n  httpPort: 2\n")
        #expect(
            error.description == #"tracetest.yaml:2:3: duplicate key "httpPort" in one mapping; write each key once"#)
    }

    @Test func postgresConnStringIsAnErrorThatNamesTheReplacement() throws {
        let error = try parseError("server:\n  httpPort: 1\npostgresConnString: host=db user=x\n")
        #expect(
            error.description
                == "tracetest.yaml:3:1: postgresConnString: this key is no longer supported; use postgres.host, "
                + "postgres.port, postgres.user, postgres.password, postgres.dbname and postgres.params instead"
        )
    }

    @Test func emptyPostgresConnStringOnlyWarns() throws {
        let loaded = try parse("postgresConnString: \"\"\n")
        #expect(loaded.configuration.postgres == nil)
        #expect(
            loaded.warnings.map(\.description) == [
                #"tracetest.yaml:1:1: obsolete key "postgresConnString" is empty and ignored"#
            ])
    }
}
