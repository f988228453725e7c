/// Checks that `server.telemetry.exporter` and `applicationExporter` name entries of `telemetry.exporters`.
enum ExporterReferences {
    static func validate(
        _ configuration: ServerConfiguration,
        origins: [String: ConfigurationSource]
    ) throws(ConfigurationError) {
        let exporters = configuration.telemetry.exporters
        let references = [
            ("server.telemetry.exporter", configuration.server.telemetry.exporter),
            ("server.telemetry.applicationExporter", configuration.server.telemetry.applicationExporter),
        ]
        for (keyPath, name) in references where !name.isEmpty && exporters[name] == nil {
            throw ConfigurationError(
                source: origins[keyPath],
                keyPath: keyPath,
                message:
                    "invalid exporter option: \"\(name)\". Available options: [\(exporters.keys.joined(separator: ", "))]",
                fix: "use the name of an entry of telemetry.exporters, or leave it empty to turn this telemetry off"
            )
        }
    }
}
