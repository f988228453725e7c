import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

/// `--help`, `configure`, `version`, the configuration lookup and the global options (cli.md §2–3), with the built
/// binary against a server on loopback.
@Suite("CLI configuration and help")
struct ConfigureAndHelpTests {
    static let subcommands = ["configure", "apply", "get", "list", "delete", "export", "run", "version"]

    @Test("tracetest --help lists every command, and each command's help explains every flag")
    func help() async throws {
        try await withTemporaryDirectory { directory in
            let root = try await tracetest(["--help"], in: directory)
            #expect(root.exitCode == 0, "\(root)")
            for command in Self.subcommands + ["serve"] { #expect(root.stdout.contains("  \(command)"), "\(command)") }

            var flags: [String: [String]] = [:]
            let global = ["--config", "--output", "--server-url", "--verbose", "--skip-verify"]
            for command in ["apply", "get", "list", "delete", "export"] { flags[command] = global }
            flags["apply"]! += ["--file"]
            flags["get"]! += ["--id"]
            flags["delete"]! += ["--id"]
            flags["export"]! += ["--id", "--file"]
            flags["list"]! += ["--take", "--skip", "--sortBy", "--sortDirection", "--all"]
            flags["run"] =
                global + [
                    "--file", "--id", "--vars", "--environment", "--required-gates", "--skip-result-wait", "--junit",
                ]
            flags["configure"] = global + ["--global"]
            flags["version"] = global
            for (command, names) in flags {
                let help = try await tracetest([command, "--help"], in: directory)
                #expect(help.exitCode == 0, "\(help)")
                let lines = help.stdout.split(separator: "\n").map(String.init)
                for flag in names {
                    // The flag's line has a description after the flag itself.
                    let line = lines.first {
                        $0.contains(flag) && $0.trimmingCharacters(in: .whitespaces).hasPrefix("-")
                    }
                    #expect(line != nil, "\(command) --help does not list \(flag):\n\(help.stdout)")
                    let index = line.flatMap { lines.firstIndex(of: $0) } ?? 0
                    let described =
                        (line ?? "").split(separator: " ", omittingEmptySubsequences: true).count > 2
                        || (index + 1 < lines.count && lines[index + 1].hasPrefix("             "))
                    #expect(described, "\(command) --help does not explain \(flag):\n\(help.stdout)")
                }
            }
        }
    }

    @Test("a mistyped command is named, with the closest command; exit 1")
    func mistypedCommand() async throws {
        try await withTemporaryDirectory { directory in
            let typo = try await tracetest(["runn", "test", "-f", "x.yaml"], in: directory)
            #expect(typo.exitCode == 1)
            #expect(
                typo.stderr
                    == "Error: unknown command \"runn\" for \"tracetest\"\n\nDid you mean this?\n\trun\n\n"
                    + "Run 'tracetest --help' for usage.\n", "\(typo.stderr)")
            let far = try await tracetest(["deploy"], in: directory)
            #expect(far.exitCode == 1)
            #expect(far.stderr.hasPrefix("Error: unknown command \"deploy\" for \"tracetest\"\n\nRun"), "\(far.stderr)")
        }
    }

    @Test(
        "a server with server.auth.token: the CLI says a token is needed, takes it from --token, TRACETEST_TOKEN or configure --token"
    )
    func apiToken() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.server.authToken = "s3cret"
            try await withRunningServer(configuration) { api in
                try await withTemporaryDirectory { directory in
                    try writeConfig(port: api.port, in: directory)
                    let missing = try await tracetest(["list", "test"], in: directory)
                    #expect(missing.exitCode == 1)
                    #expect(missing.stderr.contains("user is not authenticated on \(api.baseURL)/api"), "\(missing)")
                    #expect(missing.stderr.contains("tracetest configure --token <token>"), "\(missing)")
                    let wrong = try await tracetest(["list", "test", "--token", "nope"], in: directory)
                    #expect(wrong.exitCode == 1)
                    #expect(wrong.stderr.contains("the API token is wrong"), "\(wrong)")
                    #expect(try await tracetest(["list", "test", "--token", "s3cret"], in: directory).exitCode == 0)
                    let fromEnvironment = try await tracetest(
                        ["list", "test"], in: directory, environment: ["TRACETEST_TOKEN": "s3cret"])
                    #expect(fromEnvironment.exitCode == 0, "\(fromEnvironment)")

                    // configure checks the token and saves it; later commands send it.
                    let refused = try await tracetest(
                        ["configure", "--server-url", api.baseURL, "--token", "nope"], in: directory)
                    #expect(refused.exitCode == 1, "\(refused)")
                    let saved = try await tracetest(
                        ["configure", "--server-url", api.baseURL, "--token", "s3cret"], in: directory)
                    #expect(saved.exitCode == 0, "\(saved)")
                    #expect(try read("config.yml", in: directory).contains("token: s3cret"))
                    let listed = try await tracetest(["list", "test"], in: directory)
                    #expect(listed.exitCode == 0, "\(listed)")
                }
            }
        }
    }

    @Test("configure: non-interactive with --server-url, prompted otherwise, saved where upstream saves it")
    func configure() async throws {
        try await withTestServer(.sqlite) { api in
            try await withTemporaryDirectory { directory in
                // Without ./config.yml the file goes to ~/.tracetest/config.yml (HOME is the directory).
                let saved = try await tracetest(["configure", "--server-url", api.baseURL], in: directory)
                #expect(saved.exitCode == 0, "\(saved)")
                #expect(saved.stdout.contains("Successfully configured Tracetest CLI"))
                let global = try read(".tracetest/config.yml", in: directory)
                #expect(global == "scheme: http\nendpoint: 127.0.0.1:\(api.port)\n")

                // The version check now passes from any directory that has no config.yml.
                let version = try await tracetest(["version"], in: directory)
                #expect(version.exitCode == 0, "\(version)")
                let cli = "v\(TracetestVersion.current)"
                #expect(version.stdout == "CLI: \(cli)\nServer: \(cli)\n✔️ Version match\n")

                // With ./config.yml present, configure writes it; the prompt's answer is read from stdin.
                try write("scheme: http\nendpoint: nowhere:1\n", to: "config.yml", in: directory)
                let prompted = try await tracetest(["configure"], in: directory, input: api.baseURL + "/api\n")
                #expect(prompted.exitCode == 0, "\(prompted)")
                #expect(prompted.stdout.contains("What tracetest server do you want to use?"))
                #expect(
                    try read("config.yml", in: directory)
                        == "scheme: http\nendpoint: 127.0.0.1:\(api.port)\nserverPath: /api\n")

                // An empty answer takes the last used server (the default shown).
                let defaulted = try await tracetest(["configure"], in: directory, input: "\n")
                #expect(defaulted.exitCode == 0, "\(defaulted)")
                #expect(defaulted.stdout.contains("(default: http://127.0.0.1:\(api.port)/api)"))

                // --config chooses the file; --global the home one.
                let explicit = try await tracetest(
                    ["configure", "--config", "other.yml", "-s", api.baseURL], in: directory)
                #expect(explicit.exitCode == 0, "\(explicit)")
                #expect(try read("other.yml", in: directory).contains("endpoint: 127.0.0.1:\(api.port)"))
            }
        }
    }

    @Test("configure refuses a server it cannot reach or a URL without a scheme")
    func configureErrors() async throws {
        try await withTemporaryDirectory { directory in
            let unreachable = try await tracetest(["configure", "--server-url", "http://127.0.0.1:9"], in: directory)
            #expect(unreachable.exitCode == 1)
            #expect(unreachable.stderr.contains(#"Cannot reach "http://127.0.0.1:9". Please verify the url"#))
            #expect(!FileManager.default.fileExists(atPath: directory + "/.tracetest/config.yml"))

            let noScheme = try await tracetest(["configure", "--server-url", "localhost:11633"], in: directory)
            #expect(noScheme.exitCode == 1)
            #expect(noScheme.stderr.contains("must start with http:// or https://"))
        }
    }

    @Test("an unconfigured CLI says how to configure it; version reports Not Configured")
    func unconfigured() async throws {
        try await withTemporaryDirectory { directory in
            let version = try await tracetest(["version"], in: directory)
            #expect(version.exitCode == 0, "\(version)")
            #expect(version.stdout == "CLI: v\(TracetestVersion.current)\nServer: Not Configured\n")

            let list = try await tracetest(["list", "test"], in: directory)
            #expect(list.exitCode == 1)
            #expect(list.stderr.contains("the CLI is not configured"))
            #expect(list.stderr.contains("tracetest configure --server-url"))
            #expect(!list.stderr.contains("Fatal error"))

            let missingFile = try await tracetest(["list", "test", "--config", "nope.yml"], in: directory)
            #expect(missingFile.exitCode == 1)
            #expect(missingFile.stderr.contains("nope.yml does not exist"))

            let down = try await tracetest(["list", "test", "--server-url", "http://127.0.0.1:9"], in: directory)
            #expect(down.exitCode == 1)
            #expect(down.stderr.contains("cannot reach the Tracetest server at http://127.0.0.1:9/api"))
        }
    }

    @Test("global options go before or after the command; TRACETEST_* variables override the file; bad -o is exit 1")
    func globalOptions() async throws {
        try await withTestServer(.sqlite) { api in
            try await withTemporaryDirectory { directory in
                try write("scheme: http\nendpoint: 127.0.0.1:\(api.port)\n", to: "cli.yml", in: directory)
                let before = try await tracetest(
                    ["--config", "cli.yml", "-o", "json", "get", "config", "--id", "current"], in: directory)
                #expect(before.exitCode == 0, "\(before)")
                let after = try await tracetest(
                    ["get", "config", "--id", "current", "-c", "cli.yml", "--output=json"], in: directory)
                #expect(after.stdout == before.stdout)
                #expect(before.stdout.hasPrefix("{\n  \"type\": \"Config\",\n  \"spec\": {\n"))

                try write("scheme: http\nendpoint: 127.0.0.1:9\n", to: "config.yml", in: directory)
                let overridden = try await tracetest(
                    ["get", "config", "--id", "current"], in: directory,
                    environment: ["TRACETEST_ENDPOINT": "127.0.0.1:\(api.port)"])
                #expect(overridden.exitCode == 0, "\(overridden)")
                #expect(overridden.stdout.contains("type: Config"))

                let badFormat = try await tracetest(["list", "test", "-o", "xml"], in: directory)
                #expect(badFormat.exitCode == 1)
                #expect(
                    badFormat.stderr.contains(
                        "Invalid output format xml. Available formats are [pretty|json|yaml|markdown]"))

                let badFlag = try await tracetest(["list", "test", "--nope"], in: directory)
                #expect(badFlag.exitCode == 1)
                #expect(badFlag.stderr.contains("--nope"))
            }
        }
    }
}
