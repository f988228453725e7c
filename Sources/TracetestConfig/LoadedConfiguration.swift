/// The result of loading: the configuration, the file it came from and what was ignored on the way.
package struct LoadedConfiguration: Sendable {
    package var configuration: ServerConfiguration
    /// The configuration file read; `nil` when none was found and only defaults and the environment apply.
    package var file: String?
    /// Ignored keys and variables, for the server to log at start-up.
    package var warnings: [ConfigurationWarning]

    package init(configuration: ServerConfiguration, file: String?, warnings: [ConfigurationWarning]) {
        self.configuration = configuration
        self.file = file
        self.warnings = warnings
    }
}
