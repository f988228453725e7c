/// Applies `TRACETEST_*` variables over the values read from the file, walking the same `KeySchema`.
///
/// An empty variable counts as unset. Custom subtrees (`telemetry.exporters`) cannot be set this way.
struct EnvironmentReader {
    let environment: [String: String]
    private(set) var warnings: [ConfigurationWarning] = []
    /// The variable each stored setting came from, by key path.
    private(set) var origins: [String: ConfigurationSource] = [:]

    init(environment: [String: String]) {
        self.environment = environment.filter { !$0.value.isEmpty }
    }

    /// `server.httpPort` → `TRACETEST_SERVER_HTTPPORT`.
    static func variable(for keyPath: String) -> String {
        "TRACETEST_" + keyPath.uppercased().replacing(".", with: "_")
    }

    mutating func read<Target>(
        _ entries: [SchemaEntry<Target>],
        path: String,
        into target: inout Target
    ) throws(ConfigurationError) {
        for entry in entries {
            let keyPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
            let variable = Self.variable(for: keyPath)
            switch entry.schema {
            case .setting(let setting):
                guard let text = environment[variable] else { continue }
                let source = ConfigurationSource.environment(variable: variable)
                try setting.apply(.text(text), to: &target, keyPath: keyPath, source: source)
                origins[keyPath] = source
            case .section(let children):
                try read(children, path: keyPath, into: &target)
            case .custom:
                for name in variables(under: variable) {
                    warn(name, "ignored: \(keyPath) can only be set in the configuration file")
                }
            case .ignored:
                for name in variables(under: variable) {
                    warn(name, "accepted for compatibility with Tracetest and ignored")
                }
            case .removed(let replacements):
                guard environment[variable] != nil else { continue }
                throw ConfigurationError(
                    source: .environment(variable: variable),
                    keyPath: keyPath,
                    message: "this variable is no longer supported",
                    fix: "use \(replacements.map(Self.variable(for:)).joinedAsList) instead"
                )
            }
        }
    }

    /// The set variables named `variable` or starting with `variable_`, sorted.
    func variables(under variable: String) -> [String] {
        environment.keys.filter { $0 == variable || $0.hasPrefix(variable + "_") }.sorted()
    }

    private mutating func warn(_ variable: String, _ message: String) {
        warnings.append(ConfigurationWarning(source: .environment(variable: variable), message: message))
    }
}
