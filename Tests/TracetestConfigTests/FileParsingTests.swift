import Testing
import TracetestModel
import TracetestStorage

@testable import TracetestConfig

@Suite struct FileParsingTests {
    static let fullFile = """
        postgres:
          host: db.internal
          port: 6543
          user: tt
          password: secret
          dbname: traces
          params: sslmode=require connect_timeout=10
          startupTimeout: 2m30s
        sqlite:
          path: /var/lib/tracetest/data.db
        server:
          httpPort: 8080
          pathPrefix: /tracetest
          host: 127.0.0.1
          telemetry:
            exporter: collector
            applicationExporter: app
            dataStore: legacy
          auth:
            token: api-secret
          tls:
            certFile: /etc/tracetest/cert.pem
            keyFile: /etc/tracetest/key.pem
        telemetry:
          exporters:
            collector:
              serviceName: tracetest-server
              sampling: 50.5
              metricsReaderInterval: 30s
              exporter:
                type: collector
                collector:
                  endpoint: otel-collector:4317
            app:
              exporter:
                type: collector
                collector:
                  endpoint: app-collector:4317
        otlpServer:
          enabled: false
          host: 127.0.0.2
          grpcPort: 14317
          httpPort: 14318
          maxMessageBytes: 1048576
          auth:
            token: otlp-secret
        experimentalFeatures:
          - fastPolling
          - newAnalyzer

        """

    @Test func readsEveryKey() throws {
        let loaded = try parse(Self.fullFile)
        let configuration = loaded.configuration
        #expect(loaded.warnings.isEmpty)
        #expect(
            configuration.postgres
                == PostgresConnectionSettings(
                    host: "db.internal",
                    port: 6543,
                    user: "tt",
                    password: "secret",
                    database: "traces",
                    sslMode: .require,
                    connectTimeout: .seconds(10),
                    startupTimeout: .seconds(150)
                )
        )
        #expect(configuration.sqlite.path == "/var/lib/tracetest/data.db")
        #expect(
            configuration.server
                == ServerSettings(
                    httpPort: 8080,
                    pathPrefix: "/tracetest",
                    host: "127.0.0.1",
                    telemetry: ServerTelemetrySettings(
                        exporter: "collector", applicationExporter: "app", dataStore: "legacy"),
                    authToken: "api-secret", tlsCertFile: "/etc/tracetest/cert.pem",
                    tlsKeyFile: "/etc/tracetest/key.pem"
                )
        )
        #expect(Array(configuration.telemetry.exporters.keys) == ["collector", "app"])
        #expect(
            configuration.telemetry.exporters["collector"]
                == ExporterSettings(
                    serviceName: "tracetest-server",
                    sampling: 50.5,
                    metricsReaderInterval: .seconds(30),
                    exporterType: "collector",
                    collectorEndpoint: "otel-collector:4317"
                )
        )
        #expect(
            configuration.telemetry.exporters["app"]
                == ExporterSettings(
                    serviceName: "tracetest",
                    sampling: nil,
                    metricsReaderInterval: .seconds(10),
                    exporterType: "collector",
                    collectorEndpoint: "app-collector:4317"
                )
        )
        #expect(
            configuration.otlpServer
                == OTLPServerSettings(
                    enabled: false, host: "127.0.0.2", grpcPort: 14317, httpPort: 14318, maxMessageBytes: 1_048_576,
                    authToken: "otlp-secret")
        )
        #expect(configuration.experimentalFeatures == ["fastPolling", "newAnalyzer"])
        #expect(configuration.storage == .postgres(configuration.postgres!))
    }

    @Test func quotedNumbersAndBooleansAreAccepted() throws {
        let configuration = try parse(
            """
            server:
              httpPort: "9000"
            otlpServer:
              enabled: "false"
              grpcPort: '5317'
              maxMessageBytes: "1024"
            telemetry:
              exporters:
                otel:
                  sampling: "25"
                  exporter: {type: collector, collector: {endpoint: "c:4317"}}
            """
        ).configuration
        #expect(configuration.server.httpPort == 9000)
        #expect(configuration.otlpServer.enabled == false)
        #expect(configuration.otlpServer.grpcPort == 5317)
        #expect(configuration.otlpServer.maxMessageBytes == 1024)
        #expect(configuration.telemetry.exporters["otel"]?.sampling == 25)
    }

    @Test func numbersAreReadAsTextForTextKeys() throws {
        let configuration = try parse("postgres:\n  password: 12345\n  user: 007\n").configuration
        #expect(configuration.postgres?.password == "12345")
        #expect(configuration.postgres?.user == "007")
    }

    @Test func nullValuesKeepDefaultsButQuotedEmptyTextIsAValue() throws {
        let configuration = try parse("server:\n  httpPort: ~\n  pathPrefix: ''\npostgres:\n  host:\n").configuration
        #expect(configuration.server.httpPort == 11633)
        #expect(configuration.server.pathPrefix == "")
        #expect(configuration.postgres?.host == "postgres")
    }

    @Test func emptyServiceNameMeansTracetest() throws {
        let yaml = """
            telemetry:
              exporters:
                otel:
                  serviceName: ""
                  exporter: {type: collector, collector: {endpoint: "c:4317"}}
            """
        #expect(try parse(yaml).configuration.telemetry.exporters["otel"]?.serviceName == "tracetest")
    }

    @Test(
        "collector endpoints: host:port is plaintext gRPC, URLs keep their scheme, the port defaults to 4317",
        arguments: [
            ("otel-collector:4317", ExporterEndpoint.grpc(url: "http://otel-collector:4317")),
            ("http://otel-collector:4317", .grpc(url: "http://otel-collector:4317")),
            ("https://collector.example.com", .grpc(url: "https://collector.example.com:4317")),
            ("HTTPS://c:443/", .grpc(url: "https://c:443")),
            ("127.0.0.1:14317", .grpc(url: "http://127.0.0.1:14317")),
        ])
    func collectorEndpoints(text: String, endpoint: ExporterEndpoint) throws {
        let yaml =
            "telemetry:\n  exporters:\n    otel:\n      exporter:\n        collector:\n          endpoint: \(text)\n"
        let exporter = try #require(try parse(yaml).configuration.telemetry.exporters["otel"])
        #expect(exporter.collectorEndpoint == text)
        #expect(exporter.endpoint == endpoint)
        #expect(exporter.endpoint?.tracesURL == exporter.endpoint?.metricsURL)
    }

    @Test func otlpHTTPExporter() throws {
        let yaml = """
            telemetry:
              exporters:
                otel:
                  exporter:
                    type: otlphttp
                    otlphttp:
                      endpoint: https://collector.example.com:4318/otlp/
            """
        let exporter = try #require(try parse(yaml).configuration.telemetry.exporters["otel"])
        #expect(exporter.exporterType == "otlphttp")
        #expect(exporter.endpoint == .http(url: "https://collector.example.com:4318/otlp"))
        #expect(exporter.endpoint?.tracesURL == "https://collector.example.com:4318/otlp/v1/traces")
        #expect(exporter.endpoint?.metricsURL == "https://collector.example.com:4318/otlp/v1/metrics")
        #expect(exporter.effectiveSampling == 100)
    }

    @Test func omittedExporterTypeIsCollector() throws {
        let yaml =
            "telemetry:\n  exporters:\n    otel:\n      exporter:\n        collector:\n          endpoint: c:4317\n"
        #expect(try parse(yaml).configuration.telemetry.exporters["otel"]?.exporterType == "collector")
    }

    @Test func experimentalFeaturesAsOneText() throws {
        let configuration = try parse("experimentalFeatures: a, b c\n").configuration
        #expect(configuration.experimentalFeatures == ["a", "b", "c"])
    }

    @Test func mergeKeysAreExpandedAndExplicitKeysWin() throws {
        let yaml = """
            base: &base
              exporter: {type: collector, collector: {endpoint: "shared:4317"}}
              sampling: 10
            telemetry:
              exporters:
                one:
                  <<: *base
                two:
                  <<: *base
                  sampling: 90
            """
        let loaded = try parse(yaml)
        let exporters = loaded.configuration.telemetry.exporters
        #expect(exporters["one"] == ExporterSettings(sampling: 10, collectorEndpoint: "shared:4317"))
        #expect(exporters["two"] == ExporterSettings(sampling: 90, collectorEndpoint: "shared:4317"))
        #expect(loaded.warnings.map(\.description) == ["tracetest.yaml:1:1: unknown key \"base\" is ignored"])
    }

    @Test func telemetryOffWhenExporterNamesAreEmpty() throws {
        let configuration = try parse("server:\n  telemetry:\n    exporter: \"\"\n    dataStore: nowhere\n")
            .configuration
        #expect(configuration.server.telemetry.exporter == "")
        #expect(configuration.server.telemetry.dataStore == "nowhere")
    }
}
