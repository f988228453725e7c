/// The server configuration: the keys of `tracetest.yaml` and the `TRACETEST_*` variables, with their defaults.
public struct ServerConfiguration: Sendable, Equatable {
    public var server: ServerSettings
    /// PostgreSQL connection settings; `nil` means the embedded SQLite database at `sqlite.path` is used.
    public var postgres: PostgresSettings?
    public var sqlite: SQLiteSettings
    public var telemetry: TelemetrySettings
    public var otlpServer: OTLPServerSettings
    /// Names of experimental features to turn on.
    public var experimentalFeatures: [String]

    /// All defaults: port 11633, SQLite storage in `tracetest.db`, OTLP receiver on 4317/4318, telemetry off.
    public init(
        server: ServerSettings = ServerSettings(),
        postgres: PostgresSettings? = nil,
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
    public var storage: StorageKind {
        if let postgres { return .postgres(postgres) }
        return .sqlite(path: sqlite.path)
    }
}

/// Which database backs the server.
public enum StorageKind: Sendable, Equatable {
    /// The embedded SQLite database file at `path` (relative paths are relative to the working directory).
    case sqlite(path: String)
    case postgres(PostgresSettings)
}
