import ArgumentParser
import Foundation
import TracetestModel

/// The options every client command takes (cli.md §2).
package struct GlobalOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "CLI configuration file.",
            discussion: "Default: ./config.yml, then ~/.tracetest/config.yml.",
            valueName: "file"))
    var config: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Output format: pretty, json, yaml or markdown.",
            discussion: "Default: yaml for apply, get, delete and export; pretty for list and run.",
            valueName: "format"))
    var output: String?

    @Option(
        name: [.customShort("s"), .customLong("server-url")],
        help: ArgumentHelp(
            "Server URL for this command, e.g. http://localhost:11633 (overrides the configuration file).",
            valueName: "url"))
    var serverURL: String?

    @Option(
        name: .customLong("token"),
        help: ArgumentHelp(
            "API token of a server that requires one (server.auth.token).",
            discussion: "Default: TRACETEST_TOKEN, then the configuration file's token.", valueName: "token"))
    var token: String?

    @Flag(name: [.short, .long], help: "Print debug lines, including every HTTP request and response, on stderr.")
    var verbose = false

    @Flag(name: .customLong("skip-verify"), help: "Do not verify the server's TLS certificate.")
    var skipVerify = false

    package init() {}

    /// The `--output` value checked, or `fallback` when it was not given.
    func outputFormat(default fallback: OutputFormat) throws(CLIError) -> OutputFormat {
        guard let output, !output.isEmpty else { return fallback }
        guard let format = OutputFormat(rawValue: output) else {
            throw CLIError("Invalid output format \(output). Available formats are [pretty|json|yaml|markdown]")
        }
        return format
    }

    var console: Console { Console(verbose: verbose) }
}

enum OutputFormat: String, Sendable {
    /// `markdown` is the pretty layout as Markdown, for CI job summaries.
    case pretty, json, yaml, markdown
}

/// What a command that talks to the server has: the configuration, a client, and the console.
struct Session: Sendable {
    let console: Console
    let config: CLIConfig
    let client: APIClient

    /// Runs `body` with a session: loads the configuration, applies `--server-url`, checks the server's version
    /// (cli.md §3.5), and closes the client afterwards.
    static func with<R>(
        _ options: GlobalOptions, _ body: (Session) async throws -> R
    ) async throws -> R {
        let console = options.console
        let environment = ProcessInfo.processInfo.environment
        let loaded = try CLIConfig.load(
            explicitPath: options.config,
            workingDirectory: FileManager.default.currentDirectoryPath,
            home: environment["HOME"] ?? NSHomeDirectory(),
            environment: environment)
        var config = loaded.config
        if let url = options.serverURL, !url.isEmpty { try config.setServerURL(url) }
        guard !config.url.isEmpty else {
            throw CLIError(
                "the CLI is not configured: no server URL in \(loaded.searched.joined(separator: " or "))",
                hint: "Run 'tracetest configure --server-url http://localhost:11633' (your server's URL), "
                    + "or pass --server-url to this command.")
        }
        console.debug("configuration: \(loaded.file ?? "none") → \(config.apiBase)")
        let client = APIClient(
            base: config.apiBase, skipVerify: options.skipVerify || config.skipVerify,
            token: options.token ?? environment["TRACETEST_TOKEN"] ?? config.cloud["token"], console: console)
        let session = Session(console: console, config: config, client: client)
        do {
            try await session.checkVersion(environment: environment)
            let result = try await body(session)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// The server's version, from `GET <base>/version.json`.
    func serverVersion() async throws(CLIError) -> String {
        let response = try await client.send(.GET, "/version.json")
        guard response.isSuccess, let value = try? OrderedJSON.parse(response.body),
            let version = value["version"]?.stringValue
        else {
            throw CLIError(
                "the server at \(config.apiBase) did not answer its version (HTTP \(response.status))",
                hint: "Is \(config.url) a Tracetest server? Check the URL and its path (serverPath).")
        }
        return version
    }

    /// Fails when the server is older than this CLI's major.minor, unless `TRACETEST_DEV` is set.
    func checkVersion(environment: [String: String]) async throws(CLIError) {
        let server = try await serverVersion()
        let check = VersionCheck(cli: TracetestVersion.current, server: server)
        guard !check.compatible, environment["TRACETEST_DEV"] == nil else { return }
        throw CLIError(check.mismatchMessage, hint: check.mismatchHint)
    }
}

/// Compares the CLI's and the server's versions as upstream does (cli.md §3.5): with semantic versions the server
/// must be at least the CLI's major.minor; otherwise the texts must be equal.
struct VersionCheck {
    var cli: String
    var server: String

    static func semver(_ text: String) -> (Int, Int, Int)? {
        let core = (text.hasPrefix("v") ? text.dropFirst() : Substring(text)).split(separator: "-").first ?? ""
        let parts = core.split(separator: ".").map { Int($0) }
        guard parts.count == 3, let major = parts[0], let minor = parts[1], let patch = parts[2] else { return nil }
        return (major, minor, patch)
    }

    var compatible: Bool {
        guard let cli = Self.semver(cli), let server = Self.semver(server) else { return cli == server }
        return server.0 > cli.0 || (server.0 == cli.0 && server.1 >= cli.1)
    }

    /// The server is newer than the CLI.
    var outdated: Bool {
        guard let cli = Self.semver(cli), let server = Self.semver(server) else { return false }
        return server > cli
    }

    static func display(_ version: String) -> String {
        semver(version) != nil && !version.hasPrefix("v") ? "v" + version : version
    }

    var text: String {
        "CLI: \(Self.display(cli))\(outdated ? " (outdated)" : "")\nServer: \(Self.display(server))"
    }

    var mismatchMessage: String {
        guard Self.semver(cli) != nil, Self.semver(server) != nil else {
            return "\(text)\n✖️ Version Mismatch\nThe CLI and the server report different versions, and versions "
                + "that are not semantic versions must be equal."
        }
        return "\(text)\n✖️ Version Mismatch\nThe server (\(Self.display(server))) is older than this CLI "
            + "(\(Self.display(cli))); it needs a server of version \(Self.minimumServer) or newer."
    }

    var mismatchHint: String {
        "Upgrade the server, or use a CLI of the server's version. Set TRACETEST_DEV=1 to skip this check."
    }

    private static var minimumServer: String {
        guard let (major, minor, _) = semver(TracetestVersion.current) else { return TracetestVersion.current }
        return "v\(major).\(minor).0"
    }
}
