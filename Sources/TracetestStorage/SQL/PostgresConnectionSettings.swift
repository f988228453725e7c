import PostgresNIO

/// How to reach a PostgreSQL server: the configuration's `postgres` section (its `params` read into `sslMode`,
/// `connectTimeout` and `applicationName` when the configuration is loaded).
package struct PostgresConnectionSettings: Sendable, Equatable {
    package var host: String
    package var port: Int
    package var user: String
    package var password: String
    package var database: String
    package var sslMode: PostgresSSLMode
    /// The most connections the pool opens.
    package var maximumConnections: Int
    /// How long opening one connection may take (libpq's `connect_timeout`).
    package var connectTimeout: Duration
    /// Sent to the server as `application_name` (shown in `pg_stat_activity`); nil sends none.
    package var applicationName: String?
    /// How long start-up keeps retrying while the server is unreachable.
    package var startupTimeout: Duration
    /// How long a statement waits for a pooled connection before the database counts as unavailable (a 503).
    package var connectionWait: Duration = .seconds(3)
    /// How long work on a leased connection (a read, or a whole transaction) may take before the connection is
    /// closed: a server that went away mid-statement, or came back, must not leave the caller waiting for good.
    package var workLimit: Duration = .seconds(45)

    package init(
        host: String, port: Int = 5432, user: String, password: String, database: String,
        sslMode: PostgresSSLMode = .prefer, maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10),
        applicationName: String? = nil, startupTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.startupTimeout = startupTimeout
    }

    /// `host:port`, for messages.
    package var endpoint: String { "\(host):\(port)" }

    private var startupParameters: [(String, String)] {
        applicationName.map { [("application_name", $0)] } ?? []
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: clientTLS)
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = startupParameters
        // The pool arms an idle timer (and a keep-alive timer) each time a connection goes back to it, and cancels
        // them at the next lease; a cancelled timer's memory is held until its deadline. Short idle timers and no
        // keep-alive keep that small (with 60 s and 30 s, heaptrack found about 40 MiB of them in a soak). A connection the network
        // dropped meanwhile fails its next statement as unreachable, as after a database restart.
        configuration.options.connectionIdleTimeout = .seconds(10)
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    func connectionConfiguration(connectTimeout: Duration) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: try connectionTLS())
        configuration.options.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(sslMode.tlsConfiguration)
        case .require, .verifyCA, .verifyFull: .require(sslMode.tlsConfiguration)
        }
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .allow, .prefer: .prefer(try NIOSSLContext(configuration: sslMode.tlsConfiguration))
        case .require, .verifyCA, .verifyFull: .require(try NIOSSLContext(configuration: sslMode.tlsConfiguration))
        }
    }
}

/// libpq's `sslmode`: whether to use TLS and how far to trust the server's certificate.
package enum PostgresSSLMode: String, Sendable, CaseIterable {
    /// No TLS.
    case disable
    /// TLS when the server offers it, certificate not checked.
    case allow
    /// TLS when the server offers it, certificate not checked (the default).
    case prefer
    /// TLS required, certificate not checked.
    case require
    /// TLS required, certificate chain checked but not the host name.
    case verifyCA = "verify-ca"
    /// TLS required, certificate chain and host name checked.
    case verifyFull = "verify-full"

    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .disable, .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}
