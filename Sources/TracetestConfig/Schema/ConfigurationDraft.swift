import TracetestModel
import TracetestStorage

/// What the readers fill in: the configuration, and PostgreSQL settings kept aside until the storage is chosen
/// (`params` and `startupTimeout` as read, applied to the settings once every source was read).
struct ConfigurationDraft {
    var configuration = ServerConfiguration()
    var postgres = PostgresConnectionSettings.configurationDefault
    var postgresParams = "sslmode=disable"
    var postgresStartupTimeout = GoDuration.seconds(60)

    /// The PostgreSQL settings with `params` and `startupTimeout` applied.
    var postgresSettings: PostgresConnectionSettings {
        var settings = postgres.applying(params: postgresParams)
        settings.startupTimeout = postgresStartupTimeout.duration
        return settings
    }
}
