import ArgumentParser
import Foundation
import TracetestModel

/// `tracetest configure`: saves the server URL in the CLI configuration file (cli.md §3.4).
package struct ConfigureCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "configure",
        abstract: "Save the server the CLI talks to.",
        discussion: """
            With --server-url the URL is checked and saved without questions; otherwise the CLI asks for it. \
            The file written is --config when given; else ~/.tracetest/config.yml with --global; else \
            ./config.yml when it exists; else ~/.tracetest/config.yml.
            """
    )

    @Flag(name: [.short, .long], help: "Save in ~/.tracetest/config.yml, even if ./config.yml exists.")
    var global = false

    @OptionGroup var options: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = options.console
        try await runReportingErrors(console) {
            let environment = ProcessInfo.processInfo.environment
            let home = environment["HOME"] ?? NSHomeDirectory()
            let workingDirectory = FileManager.default.currentDirectoryPath
            let previous = try? CLIConfig.load(
                explicitPath: nil, workingDirectory: workingDirectory, home: home, environment: [:])
            let lastUsed = previous.map(\.config).flatMap { $0.url.isEmpty ? nil : $0.url + $0.serverPathSuffix }
            var url = options.serverURL ?? ""
            if url.isEmpty {
                let fallback = lastUsed ?? "http://localhost:11633"
                console.write("What tracetest server do you want to use? (default: \(fallback)) ")
                let answer = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
                if !Console.isInteractive { console.line() }
                url = answer.isEmpty ? fallback : answer
            }
            var config = CLIConfig()
            try config.setServerURL(url)
            config.skipVerify = options.skipVerify
            if let token = options.token, !token.isEmpty { config.cloud["token"] = token }
            let client = APIClient(
                base: config.apiBase, skipVerify: config.skipVerify, token: config.cloud["token"], console: console)
            do {
                try await Self.check(client, url: url, config: config)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            let path: String
            if let explicit = options.config {
                path = CLIConfig.absolute(explicit, in: workingDirectory)
            } else if global {
                path = CLIConfig.globalPath(home: home)
            } else {
                let local = CLIConfig.absolute("config.yml", in: workingDirectory)
                path = FileManager.default.fileExists(atPath: local) ? local : CLIConfig.globalPath(home: home)
            }
            try config.write(to: path)
            console.line("Successfully configured Tracetest CLI")
            console.debug("saved \(path)")
        }
    }

    /// The server at `url` is a Tracetest Core server that lets this CLI in: its version answers (it is open), and
    /// so does its API (a server with `server.auth.token` refuses a missing or wrong token).
    private static func check(_ client: APIClient, url: String, config: CLIConfig) async throws {
        let version: APIResponse
        do {
            version = try await client.send(.GET, "/version.json")
        } catch {
            throw CLIError(
                "Cannot reach \"\(url)\". Please verify the url and enter it again.",
                hint: "(\(error.message))")
        }
        guard version.isSuccess, let payload = try? OrderedJSON.parse(version.body),
            payload["version"]?.stringValue != nil
        else {
            throw CLIError(
                "Cannot reach \"\(url)\". Please verify the url and enter it again.",
                hint: "\(config.apiBase)/version.json answered HTTP \(version.status); "
                    + "if the server has a path prefix, include it and /api (http://host/prefix/api).")
        }
        if let type = payload["type"]?.stringValue, type != "oss" {
            throw CLIError(
                "\(url) is a Tracetest Cloud endpoint (type \(type)); this CLI works with Tracetest Core servers")
        }
        _ = try await client.send(.GET, "/tests?take=1")
    }
}

extension CLIConfig {
    /// The configured path as part of a URL (`/prefix/api`), empty for the default `/api`.
    var serverPathSuffix: String { serverPath.isEmpty ? "" : path }
}

/// `tracetest version`: the CLI's and the server's versions (cli.md §3.5).
package struct VersionCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the CLI's and the server's versions.")

    @OptionGroup var options: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = options.console
        try await runReportingErrors(console) {
            let environment = ProcessInfo.processInfo.environment
            let loaded = try CLIConfig.load(
                explicitPath: options.config, workingDirectory: FileManager.default.currentDirectoryPath,
                home: environment["HOME"] ?? NSHomeDirectory(), environment: environment)
            var config = loaded.config
            if let url = options.serverURL, !url.isEmpty { try config.setServerURL(url) }
            let cli = VersionCheck.display(TracetestVersion.current)
            guard !config.url.isEmpty else {
                console.line("CLI: \(cli)\nServer: Not Configured")
                return
            }
            let client = APIClient(
                base: config.apiBase, skipVerify: options.skipVerify || config.skipVerify, console: console)
            let session = Session(console: console, config: config, client: client)
            let server: String
            do {
                server = try await session.serverVersion()
                await client.shutdown()
            } catch {
                await client.shutdown()
                console.line(
                    "CLI: \(cli)\nServer: Failed to get the server version - \((error as? CLIError)?.message ?? "\(error)")"
                )
                throw error
            }
            let check = VersionCheck(cli: TracetestVersion.current, server: server)
            guard check.compatible || environment["TRACETEST_DEV"] != nil else {
                throw CLIError(check.mismatchMessage, hint: check.mismatchHint)
            }
            console.line(check.text)
            if check.compatible { console.line("✔️ Version match") }
        }
    }
}
