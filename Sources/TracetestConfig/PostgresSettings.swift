import TracetestModel
import TracetestStorage

extension PostgresConnectionSettings {
    /// The `postgres` section's defaults: `postgres:5432`, user and password `postgres`, database `tracetest`,
    /// `params: sslmode=disable`, start-up retries for a minute.
    package static let configurationDefault = PostgresConnectionSettings(
        host: "postgres", port: 5432, user: "postgres", password: "postgres", database: "tracetest",
        sslMode: .disable)

    /// These settings with the libpq keywords of `params` applied: `sslmode` (absent: `prefer`), `connect_timeout`
    /// (seconds, at least 2; `0` or absent: 10) and `application_name`. `params` must have passed
    /// ``PostgresParameters/problem(in:)``, which the configuration loader checks where the text was read.
    package func applying(params: String) -> PostgresConnectionSettings {
        let pairs = PostgresParameters.parse(params).pairs
        var settings = self
        settings.sslMode = pairs["sslmode"].flatMap(PostgresSSLMode.init(rawValue:)) ?? .prefer
        settings.connectTimeout = .seconds(10)
        if let seconds = pairs["connect_timeout"].flatMap({ Int($0) }), seconds > 0 {
            // libpq treats anything under 2 seconds as 2.
            settings.connectTimeout = .seconds(max(seconds, 2))
        }
        settings.applicationName = pairs["application_name"]
        return settings
    }

    /// `params` text that ``applying(params:)`` reads back into these settings (for configuration files written
    /// from settings).
    package var params: String {
        var pairs = ["sslmode=\(sslMode.rawValue)", "connect_timeout=\(connectTimeout.components.seconds)"]
        if let applicationName {
            let escaped = applicationName.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "'", with: "\\'")
            pairs.append("application_name='\(escaped)'")
        }
        return pairs.joined(separator: " ")
    }
}
