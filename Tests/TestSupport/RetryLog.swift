/// The waits announced by PostgreSQL start-up retries (`…; retrying in 250ms`, `… 1.5s`), in the order logged.
package func retryDelays(in log: String) -> [Duration] {
    log.matches(of: #/retrying in (\d+(?:\.\d+)?)(ms|s)\b/#).compactMap { match in
        guard let value = Double(match.1) else { return nil }
        return match.2 == "ms" ? .milliseconds(value) : .seconds(value)
    }
}
