import Foundation
import Yams

/// The CLI configuration file (`config.yml`, cli.md §3.1): which server to talk to.
struct CLIConfig: Equatable, Sendable {
    var scheme = ""
    var endpoint = ""
    /// API path prefix; empty means `/api`, `/` means no prefix.
    var serverPath = ""
    var skipVerify = false
    var allowInsecure = false
    /// Tracetest Cloud keys, read and written back; of them this CLI uses `token`, the API token of a server with
    /// `server.auth.token`.
    var cloud: [String: String] = [:]

    static let cloudKeys = [
        "organizationID", "environmentID", "token", "jwt", "defaultAgentApiKey", "agentEndpoint", "uIEndpoint",
    ]

    var isEmpty: Bool { scheme.isEmpty && endpoint.isEmpty && serverPath.isEmpty }

    /// `<scheme>://<endpoint>`, empty when either is missing.
    var url: String {
        guard !scheme.isEmpty, !endpoint.isEmpty else { return "" }
        var host = endpoint
        while host.hasSuffix("/") { host.removeLast() }
        return "\(scheme)://\(host)"
    }

    /// The API path: `serverPath`, `/api` when unset, nothing when `/`.
    var path: String {
        if serverPath.isEmpty { return "/api" }
        if serverPath == "/" { return "" }
        var path = serverPath.hasPrefix("/") ? serverPath : "/" + serverPath
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Where every API request goes, e.g. `http://localhost:11633/api`.
    var apiBase: String { url + path }

    /// The base of the links the CLI prints (the web UI): `uIEndpoint` when set, else the server's URL with its path
    /// prefix (the UI is served where the API is, without `/api`); nil without a server.
    var uiBase: String? {
        if let endpoint = cloud["uIEndpoint"], !endpoint.isEmpty { return endpoint }
        guard !url.isEmpty else { return nil }
        return url + (path.hasSuffix("/api") ? String(path.dropLast(4)) : path)
    }

    /// Sets scheme, endpoint and (when the URL has one) the path from a server URL such as
    /// `http://localhost:11633` or `https://example.com/tracetest/api`.
    mutating func setServerURL(_ text: String) throws(CLIError) {
        let parts = try Self.splitServerURL(text)
        scheme = parts.scheme
        endpoint = parts.host
        if !parts.path.isEmpty, parts.path != "/" { serverPath = parts.path } else { serverPath = "" }
    }

    static func splitServerURL(_ text: String) throws(CLIError) -> (scheme: String, host: String, path: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") else {
            throw CLIError(
                "the server URL \"\(text)\" must start with http:// or https://",
                hint: "For example: --server-url http://localhost:11633")
        }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else {
            throw CLIError(
                "the server URL \"\(text)\" is not a valid URL",
                hint: "For example: --server-url http://localhost:11633")
        }
        let hostPort = components.port.map { "\(host):\($0)" } ?? host
        return (scheme, hostPort, components.path)
    }

    // MARK: Reading and writing

    /// Reads a configuration file; nil when it does not exist.
    static func read(path: String) throws(CLIError) -> CLIConfig? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("cannot read the CLI configuration \(path): \(error.localizedDescription)")
        }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw CLIError(
                "the CLI configuration \(path) is not valid YAML: \(error)",
                hint: "Fix the file, or write a new one with 'tracetest configure --server-url <url>'.")
        }
        guard let loaded else { return CLIConfig() }
        guard let map = loaded as? [String: Any] else {
            throw CLIError(
                "the CLI configuration \(path) must be a mapping of keys (scheme, endpoint, serverPath, ...)",
                hint: "Write a new one with 'tracetest configure --server-url <url>'.")
        }
        var config = CLIConfig()
        func string(_ key: String) -> String {
            guard let value = map[key] else { return "" }
            return "\(value)"
        }
        config.scheme = string("scheme")
        config.endpoint = string("endpoint")
        config.serverPath = string("serverPath")
        config.skipVerify = (map["skipVerify"] as? Bool) ?? false
        config.allowInsecure = (map["allowInsecure"] as? Bool) ?? false
        for key in cloudKeys where !string(key).isEmpty { config.cloud[key] = string(key) }
        return config
    }

    /// The YAML text of this configuration (optional keys only when set).
    var yamlText: String {
        var lines = ["scheme: \(Self.quoted(scheme))", "endpoint: \(Self.quoted(endpoint))"]
        if !serverPath.isEmpty { lines.append("serverPath: \(Self.quoted(serverPath))") }
        if allowInsecure { lines.append("allowInsecure: true") }
        if skipVerify { lines.append("skipVerify: true") }
        for key in Self.cloudKeys { if let value = cloud[key] { lines.append("\(key): \(Self.quoted(value))") } }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quoted(_ text: String) -> String {
        (try? Yams.serialize(node: Node(text))).map { $0.trimmingCharacters(in: .newlines) } ?? text
    }

    func write(to path: String) throws(CLIError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            try yamlText.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError(
                "cannot write the CLI configuration \(path): \(error.localizedDescription)",
                hint: "Check that the directory exists and is writable, or choose another file with --config.")
        }
    }
}

/// The configuration the CLI runs with, and where it came from.
struct LoadedCLIConfig: Sendable {
    var config: CLIConfig
    /// The file read, nil when none was found.
    var file: String?
    /// The files looked at, in order, for messages.
    var searched: [String]
}

extension CLIConfig {
    /// The configuration file lookup of cli.md §3.2: `--config` (default `./config.yml`), then
    /// `~/.tracetest/config.yml` when that file is missing or empty; then `TRACETEST_SCHEME`, `TRACETEST_ENDPOINT`,
    /// `TRACETEST_SERVERPATH` and `TRACETEST_SKIPVERIFY` override or supply keys.
    static func load(
        explicitPath: String?, workingDirectory: String, home: String, environment: [String: String]
    ) throws(CLIError) -> LoadedCLIConfig {
        let first = absolute(explicitPath ?? "config.yml", in: workingDirectory)
        let global = globalPath(home: home)
        var loaded = LoadedCLIConfig(config: CLIConfig(), file: nil, searched: [first])
        if let config = try read(path: first), !config.isEmpty {
            loaded.config = config
            loaded.file = first
        } else if explicitPath != nil, !FileManager.default.fileExists(atPath: first) {
            throw CLIError(
                "the CLI configuration file \(first) does not exist",
                hint: "Create it with 'tracetest configure --config \(explicitPath!) --server-url <url>'.")
        } else {
            loaded.searched.append(global)
            if let config = try read(path: global) {
                loaded.config = config
                loaded.file = global
            }
        }
        if let value = environment["TRACETEST_SCHEME"], !value.isEmpty { loaded.config.scheme = value }
        if let value = environment["TRACETEST_ENDPOINT"], !value.isEmpty { loaded.config.endpoint = value }
        if let value = environment["TRACETEST_SERVERPATH"], !value.isEmpty { loaded.config.serverPath = value }
        if let value = environment["TRACETEST_SKIPVERIFY"], !value.isEmpty {
            loaded.config.skipVerify = ["true", "1", "yes"].contains(value.lowercased())
        }
        return loaded
    }

    static func globalPath(home: String) -> String {
        (home as NSString).appendingPathComponent(".tracetest/config.yml")
    }

    static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }
}
