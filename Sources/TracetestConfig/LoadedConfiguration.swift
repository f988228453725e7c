/// The result of loading: the configuration, the file it came from and what was ignored on the way.
public struct LoadedConfiguration: Sendable {
    public var configuration: ServerConfiguration
    /// The configuration file read; `nil` when none was found and only defaults and the environment apply.
    public var file: String?
    /// Ignored keys and variables, for the server to log at start-up.
    public var warnings: [ConfigurationWarning]

    public init(configuration: ServerConfiguration, file: String?, warnings: [ConfigurationWarning]) {
        self.configuration = configuration
        self.file = file
        self.warnings = warnings
    }
}
