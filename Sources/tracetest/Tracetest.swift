import ArgumentParser
import Foundation
import Logging
import TracetestCLI
import TracetestConfig
import TracetestModel
import TracetestServer
import TracetestTelemetry

@main
struct Tracetest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracetest",
        abstract: "Trace-based testing on OpenTelemetry: the server and its command-line client.",
        version: TracetestVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Configuration", subcommands: [ConfigureCommand.self, Serve.self]),
            CommandGroup(
                name: "Resources",
                subcommands: [
                    ApplyCommand.self, DeleteCommand.self, ExportCommand.self, GetCommand.self, ListCommand.self,
                    RunCommand.self,
                ]),
            CommandGroup(name: "Misc", subcommands: [VersionCommand.self]),
        ]
    )

    static func main() async {
        await CommandLineEntry.main(Self.self)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Tracetest server (HTTP API on 11633; embedded SQLite unless PostgreSQL is configured)."
    )

    @Option(
        name: [.short, .long],
        help: "Server configuration file (default: tracetest.yaml in /etc/tracetest, $HOME/.tracetest or .).")
    var config: String?

    @Option(name: .customLong("provisioning-file"), help: "Resources to apply when the database is new.")
    var provisioningFile: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // Lines logged inside a span of the server's own telemetry carry its trace_id and span_id.
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
                handler.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
                return handler
            },
            metadataProvider: Telemetry.loggingMetadataProvider
        )
        let logger = Logger(label: "tracetest")
        let loaded: LoadedConfiguration
        let provisioning: Provisioning?
        do {
            loaded = try ConfigurationLoader.load(
                explicitPath: config,
                environment: environment,
                homeDirectory: FileManager.default.homeDirectoryForCurrentUser.path,
                workingDirectory: FileManager.default.currentDirectoryPath
            )
            provisioning = try Provisioning.load(file: provisioningFile, environment: environment)
        } catch {
            logger.error("cannot start: \(error)")
            throw ExitCode.failure
        }
        logger.info("configuration: \(loaded.file ?? "no file found, using defaults and TRACETEST_* variables")")
        for warning in loaded.warnings { logger.warning("\(warning)") }
        do {
            let server = try await TracetestServer.make(
                configuration: loaded.configuration,
                provisioning: provisioning,
                logger: logger,
                onListening: { listener, port in
                    let tls = listener == .api && !loaded.configuration.server.tlsCertFile.isEmpty ? " (TLS)" : ""
                    logger.info("\(listener.rawValue) listening on port \(port)\(tls)")
                }
            )
            try await server.run(logger: logger)
        } catch let error as PortCheck.PortInUse {
            logger.error("cannot start: \(error)")
            throw ExitCode.failure
        } catch let error as ServerTLS.LoadError {
            logger.error("cannot start: \(error)")
            throw ExitCode.failure
        } catch {
            logger.error("server stopped: \(error)")
            throw ExitCode.failure
        }
        logger.info("server stopped")
    }
}
