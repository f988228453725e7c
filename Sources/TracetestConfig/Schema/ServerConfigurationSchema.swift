/// The keys of the server configuration file; each setting's variable is `TRACETEST_` + its upper-cased key path
/// with `.` replaced by `_`.
enum ServerConfigurationSchema {
    static var entries: [SchemaEntry<ConfigurationDraft>] {
        [
            SchemaEntry("postgres", .section(postgres)),
            SchemaEntry(
                "sqlite", .section([SchemaEntry("path", .setting(.nonEmptyString(\.configuration.sqlite.path)))])),
            SchemaEntry("server", .section(server)),
            SchemaEntry("telemetry", .section(telemetry)),
            SchemaEntry("otlpServer", .section(otlpServer)),
            SchemaEntry("experimentalFeatures", .setting(.list(\.configuration.experimentalFeatures))),
            SchemaEntry("postgresConnString", .removed(replacedBy: postgresKeys)),
            SchemaEntry("testPipelines", .ignored),
            SchemaEntry("dataStorePipelines", .ignored),
            SchemaEntry("nats", .ignored),
            SchemaEntry("analytics", .ignored),
            SchemaEntry("internalTelemetry", .ignored),
        ]
    }

    private static let postgresKeys = ["host", "port", "user", "password", "dbname", "params"].map { "postgres.\($0)" }

    private static var postgres: [SchemaEntry<ConfigurationDraft>] {
        [
            SchemaEntry("host", .setting(.nonEmptyString(\.postgres.host))),
            SchemaEntry("port", .setting(.port(\.postgres.port))),
            SchemaEntry("user", .setting(.nonEmptyString(\.postgres.user))),
            SchemaEntry("password", .setting(.string(\.postgres.password))),
            SchemaEntry("dbname", .setting(.nonEmptyString(\.postgres.database))),
            SchemaEntry("params", .setting(.postgresParameters(\.postgresParams))),
            SchemaEntry(
                "startupTimeout",
                .setting(
                    .duration(
                        \.postgresStartupTimeout,
                        expecting: "a duration of 0s or more, such as 30s or 2m",
                        minimum: 0
                    )
                )
            ),
        ]
    }

    private static var server: [SchemaEntry<ConfigurationDraft>] {
        [
            SchemaEntry("httpPort", .setting(.listenPort(\.configuration.server.httpPort))),
            SchemaEntry("pathPrefix", .setting(.string(\.configuration.server.pathPrefix))),
            SchemaEntry("host", .setting(.nonEmptyString(\.configuration.server.host))),
            SchemaEntry("instanceName", .setting(.string(\.configuration.server.instanceName))),
            SchemaEntry(
                "maxParallelRuns",
                .setting(
                    .positiveInteger(
                        \.configuration.server.maxParallelRuns,
                        expecting: "a number of runs greater than 0, such as 32"
                    )
                )
            ),
            SchemaEntry(
                "telemetry",
                .section([
                    SchemaEntry("exporter", .setting(.string(\.configuration.server.telemetry.exporter))),
                    SchemaEntry(
                        "applicationExporter",
                        .setting(.string(\.configuration.server.telemetry.applicationExporter))
                    ),
                    SchemaEntry("dataStore", .setting(.string(\.configuration.server.telemetry.dataStore))),
                ])
            ),
            SchemaEntry("auth", .section([SchemaEntry("token", .setting(.string(\.configuration.server.authToken)))])),
            SchemaEntry(
                "tls",
                .section([
                    SchemaEntry("certFile", .setting(.string(\.configuration.server.tlsCertFile))),
                    SchemaEntry("keyFile", .setting(.string(\.configuration.server.tlsKeyFile))),
                ])),
        ]
    }

    private static var telemetry: [SchemaEntry<ConfigurationDraft>] {
        [
            SchemaEntry("exporters", .custom(ExporterSchema.readExporters)),
            SchemaEntry("profiler", .ignored),
            SchemaEntry("dataStores", .ignored),
        ]
    }

    private static var otlpServer: [SchemaEntry<ConfigurationDraft>] {
        [
            SchemaEntry("enabled", .setting(.bool(\.configuration.otlpServer.enabled))),
            SchemaEntry("host", .setting(.nonEmptyString(\.configuration.otlpServer.host))),
            SchemaEntry("grpcPort", .setting(.listenPort(\.configuration.otlpServer.grpcPort))),
            SchemaEntry("httpPort", .setting(.listenPort(\.configuration.otlpServer.httpPort))),
            SchemaEntry(
                "maxMessageBytes",
                .setting(
                    .positiveInteger(
                        \.configuration.otlpServer.maxMessageBytes,
                        expecting: "a number of bytes greater than 0, such as 67108864 for 64 MiB"
                    )
                )
            ),
            SchemaEntry(
                "recentTraces",
                .section([
                    SchemaEntry(
                        "maxSpans",
                        .setting(
                            .positiveInteger(
                                \.configuration.otlpServer.recentTraces.maxSpans,
                                expecting: "a number of spans greater than 0, such as 200000"
                            )
                        )
                    ),
                    SchemaEntry(
                        "maxBytes",
                        .setting(
                            .positiveInteger(
                                \.configuration.otlpServer.recentTraces.maxBytes,
                                expecting: "a number of bytes greater than 0, such as 268435456 for 256 MiB"
                            )
                        )
                    ),
                    SchemaEntry(
                        "maxAge",
                        .setting(
                            .duration(
                                \.configuration.otlpServer.recentTraces.maxAge,
                                expecting: "a duration greater than 0, such as 5m",
                                minimum: 1
                            )
                        )
                    ),
                ])
            ),
            SchemaEntry(
                "auth", .section([SchemaEntry("token", .setting(.string(\.configuration.otlpServer.authToken)))])),
        ]
    }
}
