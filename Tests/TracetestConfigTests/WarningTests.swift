import Testing

@testable import TracetestConfig

@Suite struct WarningTests {
    @Test func unknownKeysWarnWithTheirPosition() throws {
        let yaml = """
            server:
              httpPort: 8080
              bar: 1
            foo:
              nested: true
            telemetry:
              exporters:
                otel:
                  exporter: {collector: {endpoint: "c:4317"}}
                  colour: blue
            """
        let loaded = try parse(yaml)
        #expect(loaded.configuration.server.httpPort == 8080)
        #expect(
            loaded.warnings.map(\.description) == [
                #"tracetest.yaml:3:3: unknown key "server.bar" is ignored"#,
                #"tracetest.yaml:4:1: unknown key "foo" is ignored"#,
                #"tracetest.yaml:10:7: unknown key "telemetry.exporters.otel.colour" is ignored"#,
            ]
        )
    }

    @Test func wrongCaseKeySuggestsTheRightOne() throws {
        let loaded = try parse("server:\n  httpport: 1\n")
        #expect(loaded.configuration.server.httpPort == 11633)
        #expect(
            loaded.warnings.map(\.description) == [
                #"tracetest.yaml:2:3: unknown key "server.httpport" is ignored; keys are case-sensitive: did you mean "server.httpPort"?"#
            ]
        )
    }

    @Test func upstreamKeysAreAcceptedAndIgnored() throws {
        let yaml = """
            testPipelines:
              triggerExecute:
                enabled: true
            dataStorePipelines:
              testConnection:
                enabled: true
            nats:
              endpoint: nats://nats:4222
            analytics:
              serverKey: abc
            internalTelemetry:
              enabled: false
            telemetry:
              profiler:
                enabled: false
              dataStores:
                jaeger:
                  type: jaeger
            """
        let loaded = try parse(yaml)
        #expect(loaded.configuration == ServerConfiguration())
        #expect(
            loaded.warnings.map(\.description) == [
                #"tracetest.yaml:1:1: "testPipelines" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:4:1: "dataStorePipelines" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:7:1: "nats" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:9:1: "analytics" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:11:1: "internalTelemetry" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:14:3: "telemetry.profiler" is accepted for compatibility with Tracetest and ignored"#,
                #"tracetest.yaml:16:3: "telemetry.dataStores" is accepted for compatibility with Tracetest and ignored"#,
            ]
        )
    }

    @Test func warningsKeepTheirSource() throws {
        let warning = try #require(try parse("foo: 1\n").warnings.first)
        #expect(warning.source == .position(file: "tracetest.yaml", line: 1, column: 1))
        #expect(warning.message == #"unknown key "foo" is ignored"#)
    }
}
