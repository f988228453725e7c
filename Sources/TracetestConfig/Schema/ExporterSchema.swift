import Yams

/// The keys of one `telemetry.exporters.<name>` entry, and the reader of the whole map.
enum ExporterSchema {
    static var entries: [SchemaEntry<ExporterSettings>] {
        [
            SchemaEntry("serviceName", .setting(.string(\.serviceName))),
            SchemaEntry("sampling", .setting(.percent(\.sampling))),
            SchemaEntry(
                "metricsReaderInterval",
                .setting(
                    .duration(
                        \.metricsReaderInterval, expecting: "a duration greater than 0, such as 10s or 1m", minimum: 1)
                )
            ),
            SchemaEntry(
                "exporter",
                .section([
                    SchemaEntry(
                        "type",
                        .setting(
                            .oneOf(\.exporterType, [ExporterEndpoint.collectorType, ExporterEndpoint.otlpHTTPType]))
                    ),
                    SchemaEntry(
                        "collector",
                        .section([
                            SchemaEntry(
                                "endpoint",
                                .setting(
                                    .endpoint(
                                        \.collectorEndpoint,
                                        expecting:
                                            "an OTLP/gRPC host:port such as otel-collector:4317, or a URL such as "
                                            + "http://otel-collector:4317 or https://otel-collector:4317",
                                        parse: ExporterEndpoint.collector
                                    )
                                )
                            )
                        ])
                    ),
                    SchemaEntry(
                        "otlphttp",
                        .section([
                            SchemaEntry(
                                "endpoint",
                                .setting(
                                    .endpoint(
                                        \.otlpHTTPEndpoint,
                                        expecting: "an OTLP/HTTP URL such as http://otel-collector:4318",
                                        parse: ExporterEndpoint.otlpHTTP
                                    )
                                )
                            )
                        ])
                    ),
                ])
            ),
        ]
    }

    /// Reads the map of exporter names to exporter settings into `telemetry.exporters`, in file order.
    static func readExporters(
        into draft: inout ConfigurationDraft,
        node: Node,
        path: String,
        reader: inout YAMLTreeReader
    ) throws(ConfigurationError) {
        guard node.null == nil else { return }
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(
                source: reader.source(of: node),
                keyPath: path,
                message:
                    "expected a mapping from exporter names to exporter settings, got \(YAMLTreeReader.shape(of: node))"
            )
        }
        for (keyNode, valueNode) in YAMLTreeReader.pairs(of: mapping) {
            let name = keyNode.scalar?.string ?? ""
            let exporterPath = "\(path).\(name)"
            var exporter = ExporterSettings()
            try reader.readSection(valueNode, entries: entries, path: exporterPath, into: &exporter)
            if exporter.serviceName.isEmpty { exporter.serviceName = ExporterSettings().serviceName }
            if exporter.exporterType == ExporterEndpoint.otlpHTTPType {
                guard !exporter.otlpHTTPEndpoint.isEmpty else {
                    throw ConfigurationError(
                        source: reader.source(of: keyNode),
                        keyPath: "\(exporterPath).exporter.otlphttp.endpoint",
                        message: "missing",
                        fix: "type otlphttp sends to the URL of an OTLP/HTTP receiver, such as "
                            + "http://otel-collector:4318"
                    )
                }
            } else {
                guard !exporter.collectorEndpoint.isEmpty else {
                    throw ConfigurationError(
                        source: reader.source(of: keyNode),
                        keyPath: "\(exporterPath).exporter.collector.endpoint",
                        message: "missing",
                        fix: "set it to the OTLP/gRPC address of your collector, such as otel-collector:4317"
                    )
                }
            }
            draft.configuration.telemetry.exporters[name] = exporter
        }
    }
}
