/// A configuration mistake that stops start-up: where it is, which key, what is wrong and how to fix it.
///
/// Printed as `tracetest.yaml:7:13: postgres.port: expected a port number between 1 and 65535, got "abc"`,
/// or `TRACETEST_SERVER_HTTPPORT: expected ...` for a value from the environment.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    package var source: ConfigurationSource?
    /// The dotted key, e.g. `server.httpPort`; `nil` when the mistake is not about one key (YAML syntax).
    package var keyPath: String?
    /// What is wrong: what was given and what is allowed.
    package var message: String
    /// How to fix it, when the message alone does not say.
    package var fix: String?

    package init(source: ConfigurationSource?, keyPath: String? = nil, message: String, fix: String? = nil) {
        self.source = source
        self.keyPath = keyPath
        self.message = message
        self.fix = fix
    }

    package var description: String {
        var parts: [String] = []
        if let source { parts.append(source.description) }
        if let keyPath, !source.isEnvironment { parts.append(keyPath) }
        parts.append(fix.map { "\(message); \($0)" } ?? message)
        return parts.joined(separator: ": ")
    }
}

extension ConfigurationSource? {
    /// Environment variables are named by themselves; their key path would repeat the name.
    fileprivate var isEnvironment: Bool {
        if case .environment = self { return true }
        return false
    }
}
