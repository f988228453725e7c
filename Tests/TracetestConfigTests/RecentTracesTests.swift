import Testing
import TracetestModel

@testable import TracetestConfig

/// `otlpServer.recentTraces.maxSpans`, `.maxBytes` and `.maxAge`: the buffer of spans of traces no run waits for yet.
@Suite struct RecentTracesTests {
    @Test func defaults() throws {
        let settings = try parse("").configuration.otlpServer.recentTraces
        #expect(settings == RecentTracesSettings(maxSpans: 200_000, maxBytes: 268_435_456, maxAge: .seconds(300)))
    }

    @Test func fromTheFile() throws {
        let loaded = try parse(
            "otlpServer:\n  recentTraces:\n    maxSpans: 1500\n    maxBytes: 1048576\n    maxAge: 1m30s\n")
        #expect(loaded.warnings.isEmpty)
        #expect(
            loaded.configuration.otlpServer.recentTraces
                == RecentTracesSettings(maxSpans: 1500, maxBytes: 1_048_576, maxAge: .seconds(90)))
    }

    @Test func variablesOverrideTheFile() throws {
        let environment = [
            "TRACETEST_OTLPSERVER_RECENTTRACES_MAXSPANS": "42",
            "TRACETEST_OTLPSERVER_RECENTTRACES_MAXAGE": "250ms",
            "TRACETEST_OTLPSERVER_RECENTTRACES_MAXBYTES": "4096",
        ]
        let loaded = try parse(
            "otlpServer:\n  recentTraces:\n    maxSpans: 1500\n    maxAge: 1m\n", environment: environment)
        #expect(
            loaded.configuration.otlpServer.recentTraces
                == RecentTracesSettings(maxSpans: 42, maxBytes: 4096, maxAge: .milliseconds(250)))
    }

    @Test(arguments: [
        ("maxSpans", "0", "expected a number of spans greater than 0"),
        ("maxSpans", "lots", "expected a number of spans greater than 0"),
        ("maxBytes", "0", "expected a number of bytes greater than 0"),
        ("maxAge", "0s", "expected a duration greater than 0"),
        ("maxAge", "5", "expected a duration greater than 0"),
    ])
    func invalidFileValues(key: String, value: String, expected: String) throws {
        let error = try parseError("otlpServer:\n  recentTraces:\n    \(key): \(value)\n")
        #expect(error.keyPath == "otlpServer.recentTraces.\(key)")
        #expect(error.description.hasPrefix("tracetest.yaml:3:"))
        #expect(error.description.contains("otlpServer.recentTraces.\(key): \(expected)"), "\(error)")
    }

    @Test(arguments: [
        ("TRACETEST_OTLPSERVER_RECENTTRACES_MAXSPANS", "-5", "expected a number of spans greater than 0"),
        ("TRACETEST_OTLPSERVER_RECENTTRACES_MAXAGE", "soon", "expected a duration greater than 0"),
    ])
    func invalidVariables(variable: String, value: String, expected: String) throws {
        let error = try parseError("", environment: [variable: value])
        #expect(error.description.hasPrefix("\(variable): "))
        #expect(error.description.contains(expected))
    }
}
