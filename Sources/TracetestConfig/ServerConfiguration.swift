import TracetestStorage

/// The server configuration: the keys of `tracetest.yaml` and the `TRACETEST_*` variables, with their defaults.
package struct ServerConfiguration: Sendable, Equatable {
    package var server: ServerSettings
    /// PostgreSQL connection settings; `nil` means the embedded SQLite database at `sqlite.path` is used.
    package var postgres: PostgresConnectionSettings?
    package var sqlite: SQLiteSettings
    package var telemetry: TelemetrySettings
    package var otlpServer: OTLPServerSettings
    /// Names of experimental features to turn on.
    package var experimentalFeatures: [String]

    /// All defaults: port 11633, SQLite storage in `tracetest.db`, OTLP receiver on 4317/4318, telemetry off.
    package init(
        server: ServerSettings = ServerSettings(),
        postgres: PostgresConnectionSettings? = nil,
        sqlite: SQLiteSettings = SQLiteSettings(),
        telemetry: TelemetrySettings = TelemetrySettings(),
        otlpServer: OTLPServerSettings = OTLPServerSettings(),
        experimentalFeatures: [String] = []
    ) {
        self.server = server
        self.postgres = postgres
        self.sqlite = sqlite
        self.telemetry = telemetry
        self.otlpServer = otlpServer
        self.experimentalFeatures = experimentalFeatures
    }

    /// The database the server stores its data in.
    package var storage: StorageKind {
        if let postgres { return .postgres(postgres) }
        return .sqlite(path: sqlite.path)
    }
}

/// Which database backs the server.
package enum StorageKind: Sendable, Equatable {
    /// The embedded SQLite database file at `path` (relative paths are relative to the working directory).
    case sqlite(path: String)
    case postgres(PostgresConnectionSettings)
}
