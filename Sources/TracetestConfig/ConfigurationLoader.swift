import Yams

/// Reads the server configuration from a YAML file and `TRACETEST_*` environment variables.
///
/// Values come from the defaults, then the file, then the environment (which wins). Every scalar key has a
/// variable: `TRACETEST_` + the key path upper-cased with `.` replaced by `_` (`server.httpPort` →
/// `TRACETEST_SERVER_HTTPPORT`); `TRACETEST_EXPERIMENTALFEATURES` is a list separated by commas or spaces; empty
/// variables count as unset. The `telemetry.exporters` map can only be set in the file. A `null` value in the file
/// keeps the default. PostgreSQL is used when the file has a `postgres` key (even empty) or any
/// `TRACETEST_POSTGRES_*` variable is set; otherwise SQLite.
package enum ConfigurationLoader {
    /// Loads the configuration for `tracetest serve`.
    ///
    /// Without `explicitPath`, the first of `tracetest.yaml`, `tracetest.yml` and `tracetest` (a non-executable
    /// regular file) found in `systemDirectory`, `homeDirectory/.tracetest` and `workingDirectory` is read;
    /// with none found, the defaults and the environment apply.
    ///
    /// - Parameters:
    ///   - explicitPath: the `--config/-c` file; it must exist. Relative paths start from `workingDirectory`.
    ///   - environment: the process environment.
    package static func load(
        explicitPath: String?,
        environment: [String: String],
        homeDirectory: String,
        workingDirectory: String,
        systemDirectory: String = "/etc/tracetest"
    ) throws(ConfigurationError) -> LoadedConfiguration {
        if let explicitPath {
            let path =
                explicitPath.hasPrefix("/") ? explicitPath : ConfigurationFile.join(workingDirectory, explicitPath)
            let yaml = try ConfigurationFile.read(path, shownAs: explicitPath)
            return try parse(yaml: yaml, file: explicitPath, environment: environment)
        }
        let home = homeDirectory.isEmpty ? "" : ConfigurationFile.join(homeDirectory, ".tracetest")
        guard let path = ConfigurationFile.find(in: [systemDirectory, home, workingDirectory]) else {
            return try assemble(root: nil, file: nil, environment: environment)
        }
        let yaml = try ConfigurationFile.read(path, shownAs: path)
        return try parse(yaml: yaml, file: path, environment: environment)
    }

    /// Parses the configuration text of `file` (used in messages) and applies `environment` over it.
    package static func parse(
        yaml: String,
        file: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> LoadedConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .yamlSyntax(error, file: file, yaml: yaml)
        }
        return try assemble(root: root, file: file, environment: environment)
    }

    private static func assemble(
        root: Node?,
        file: String?,
        environment: [String: String]
    ) throws(ConfigurationError) -> LoadedConfiguration {
        let entries = ServerConfigurationSchema.entries
        var draft = ConfigurationDraft()
        var fileReader = YAMLTreeReader(file: file ?? "")
        if let root {
            try fileReader.readSection(root, entries: entries, path: "", into: &draft)
        }
        var environmentReader = EnvironmentReader(environment: environment)
        try environmentReader.read(entries, path: "", into: &draft)

        let postgresVariables = environmentReader.variables(under: EnvironmentReader.variable(for: "postgres"))
        let usesPostgres = fileReader.presentKeys.contains("postgres") || !postgresVariables.isEmpty
        var configuration = draft.configuration
        configuration.postgres = usesPostgres ? draft.postgresSettings : nil

        let origins = fileReader.origins.merging(environmentReader.origins) { $1 }
        try ExporterReferences.validate(configuration, origins: origins)

        var warnings = fileReader.warnings + environmentReader.warnings
        let known = Set(environmentReader.origins.keys.map(EnvironmentReader.variable(for:)))
        for variable in postgresVariables where !known.contains(variable) {
            let message = "unknown variable is ignored (it still selects PostgreSQL storage)"
            warnings.append(ConfigurationWarning(source: .environment(variable: variable), message: message))
        }
        let ignored = PostgresParameters.parse(draft.postgresParams).pairs.keys.filter {
            !PostgresParameters.supported.contains($0)
        }
        for keyword in usesPostgres ? ignored.sorted() : [] {
            let supported = PostgresParameters.supported.joined(separator: ", ")
            let message = "postgres.params: \"\(keyword)\" is not supported and is ignored (supported: \(supported))"
            warnings.append(ConfigurationWarning(source: origins["postgres.params"], message: message))
        }
        return LoadedConfiguration(configuration: configuration, file: file, warnings: warnings)
    }
}
