import Foundation

/// The `server` section: where the HTTP API listens and which exporters the internal telemetry uses.
package struct ServerSettings: Sendable, Equatable {
    /// `server.httpPort`, 0...65535 (0 picks a free port).
    package var httpPort: Int
    /// `server.pathPrefix`: prefix of every route, e.g. `/tracetest`; empty for none.
    package var pathPrefix: String
    /// `server.host`: the address the HTTP API binds to (an extension of this project; upstream binds all).
    package var host: String
    package var telemetry: ServerTelemetrySettings
    /// `server.maxParallelRuns`: test runs executing at once; later ones wait in order (an extension of this
    /// project).
    package var maxParallelRuns: Int
    /// `server.instanceName`: who this server is among the servers of one PostgreSQL database, the owner of the
    /// run leases it holds; empty for the default (``leaseOwner``). A server restarted with the same name takes its
    /// runs back at once; other servers wait for its leases to expire (an extension of this project).
    package var instanceName: String
    /// `server.auth.token`: when set, the API and the WebSocket require `Authorization: Bearer <token>` (an
    /// extension of this project; upstream's API is open).
    package var authToken: String
    /// `server.tls.certFile` and `server.tls.keyFile`: PEM files of the API's certificate (with its chain) and key;
    /// both set: the API and the WebSocket are served over TLS only, the files read again on SIGHUP.
    package var tlsCertFile: String
    package var tlsKeyFile: String

    package init(
        httpPort: Int = 11633,
        pathPrefix: String = "",
        host: String = "0.0.0.0",
        telemetry: ServerTelemetrySettings = ServerTelemetrySettings(),
        maxParallelRuns: Int = 32,
        instanceName: String = "",
        authToken: String = "",
        tlsCertFile: String = "",
        tlsKeyFile: String = ""
    ) {
        self.instanceName = instanceName
        self.authToken = authToken
        self.tlsCertFile = tlsCertFile
        self.tlsKeyFile = tlsKeyFile
        self.httpPort = httpPort
        self.pathPrefix = pathPrefix
        self.host = host
        self.telemetry = telemetry
        self.maxParallelRuns = maxParallelRuns
    }

    /// ``instanceName``, or the one this server goes by without it: the machine's name with the port, or with the
    /// working directory when the port is picked at start-up.
    package var leaseOwner: String {
        if !instanceName.isEmpty { return instanceName }
        let place = httpPort != 0 ? String(httpPort) : FileManager.default.currentDirectoryPath
        return "\(ProcessInfo.processInfo.hostName):\(place)"
    }
}

/// The `server.telemetry` section: names of entries of `telemetry.exporters`; empty turns that telemetry off.
package struct ServerTelemetrySettings: Sendable, Equatable {
    /// Exporter for the server's own spans and metrics.
    package var exporter: String
    /// Exporter for the `Tracetest trigger` span only.
    package var applicationExporter: String
    /// Read for compatibility and not used.
    package var dataStore: String

    package init(exporter: String = "", applicationExporter: String = "", dataStore: String = "") {
        self.exporter = exporter
        self.applicationExporter = applicationExporter
        self.dataStore = dataStore
    }
}
