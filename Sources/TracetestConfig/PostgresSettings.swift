import TracetestModel

/// The `postgres` section: the PostgreSQL server to store data in.
public struct PostgresSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var dbname: String
    /// Extra libpq connection parameters, e.g. `sslmode=disable connect_timeout=10`.
    public var params: String
    /// How long start-up keeps retrying while PostgreSQL is unreachable (an extension of this project).
    public var startupTimeout: GoDuration

    public init(
        host: String = "postgres",
        port: Int = 5432,
        user: String = "postgres",
        password: String = "postgres",
        dbname: String = "tracetest",
        params: String = "sslmode=disable",
        startupTimeout: GoDuration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.dbname = dbname
        self.params = params
        self.startupTimeout = startupTimeout
    }

    /// `params` as keyword/value pairs. Pairs are separated by spaces or `&`; a value may be single-quoted
    /// (`application_name='my app'`) with `\'` and `\\` escapes. Malformed pieces are skipped here; the
    /// configuration loader rejects them.
    public var parameters: [String: String] {
        PostgresParameters.parse(params).pairs
    }

    /// The keywords of `params` this server honours: `sslmode`, `connect_timeout`, `application_name`.
    public static var supportedParameters: [String] { PostgresParameters.supported }

    /// Keywords of `params` that are ignored (not in ``supportedParameters``), sorted.
    public var ignoredParameters: [String] {
        parameters.keys.filter { !PostgresParameters.supported.contains($0) }.sorted()
    }

    /// `connect_timeout` in seconds, when given and greater than 0.
    public var connectTimeoutSeconds: Int? {
        parameters["connect_timeout"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }
}
