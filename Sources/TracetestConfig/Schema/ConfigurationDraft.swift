/// What the readers fill in: the configuration, and PostgreSQL settings kept aside until the storage is chosen.
struct ConfigurationDraft {
    var configuration = ServerConfiguration()
    var postgres = PostgresSettings()
}
