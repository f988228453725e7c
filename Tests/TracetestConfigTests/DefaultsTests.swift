import Testing
import TracetestModel
import TracetestStorage

@testable import TracetestConfig

@Suite struct DefaultsTests {
    @Test func defaultConfigurationUsesSQLiteAndUpstreamPorts() {
        let configuration = ServerConfiguration()
        #expect(configuration.server.httpPort == 11633)
        #expect(configuration.server.pathPrefix == "")
        #expect(configuration.server.host == "0.0.0.0")
        #expect(
            configuration.server.telemetry
                == ServerTelemetrySettings(exporter: "", applicationExporter: "", dataStore: ""))
        #expect(configuration.postgres == nil)
        #expect(configuration.sqlite.path == "tracetest.db")
        #expect(configuration.storage == .sqlite(path: "tracetest.db"))
        #expect(configuration.telemetry.exporters.isEmpty)
        #expect(configuration.otlpServer.enabled)
        #expect(configuration.otlpServer.host == "0.0.0.0")
        #expect(configuration.otlpServer.grpcPort == 4317)
        #expect(configuration.otlpServer.httpPort == 4318)
        #expect(configuration.otlpServer.maxMessageBytes == 67_108_864)
        #expect(configuration.server.maxParallelRuns == 32)
        #expect(configuration.experimentalFeatures.isEmpty)
    }

    @Test func postgresDefaults() {
        let postgres = PostgresConnectionSettings.configurationDefault
        #expect(postgres.host == "postgres")
        #expect(postgres.port == 5432)
        #expect(postgres.user == "postgres")
        #expect(postgres.password == "postgres")
        #expect(postgres.database == "tracetest")
        #expect(postgres.sslMode == .disable)
        #expect(postgres.connectTimeout == .seconds(10))
        #expect(postgres.applicationName == nil)
        #expect(postgres.startupTimeout == .seconds(60))
    }

    @Test func exporterDefaults() {
        let exporter = ExporterSettings()
        #expect(exporter.serviceName == "tracetest")
        #expect(exporter.sampling == nil)
        #expect(exporter.metricsReaderInterval == .seconds(10))
        #expect(exporter.exporterType == "collector")
        #expect(exporter.collectorEndpoint == "")
        #expect(exporter.otlpHTTPEndpoint == "")
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n", "# one\n   # two\n", "---\n", "~\n"])
    func emptyFilesGiveDefaults(yaml: String) throws {
        let loaded = try parse(yaml)
        #expect(loaded.configuration == ServerConfiguration())
        #expect(loaded.file == "tracetest.yaml")
        #expect(loaded.warnings.isEmpty)
    }

    @Test func emptySectionsKeepDefaults() throws {
        let loaded = try parse("server:\nsqlite: {}\notlpServer:\n  httpPort:\n")
        #expect(loaded.configuration == ServerConfiguration())
    }
}
