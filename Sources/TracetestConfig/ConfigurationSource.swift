/// Where a configuration value, error or warning comes from.
package enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// A position in a configuration file; line and column start at 1.
    case position(file: String, line: Int, column: Int)
    /// A configuration file as a whole (missing, unreadable).
    case file(String)
    /// An environment variable such as `TRACETEST_SERVER_HTTPPORT`.
    case environment(variable: String)

    /// `file:line:column`, `file` or the variable name.
    package var description: String {
        switch self {
        case .position(let file, let line, let column): "\(file):\(line):\(column)"
        case .file(let file): file
        case .environment(let variable): variable
        }
    }
}
