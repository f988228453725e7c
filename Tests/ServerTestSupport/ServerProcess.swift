import Foundation
import TestSupport
import TracetestConfig
import TracetestStorage

/// The `tracetest` executable built beside the test bundle (or `TRACETEST_BINARY`), run as a user would run it.
package final class ServerProcess: @unchecked Sendable {
    package let process: Process
    private let errorFile: URL

    /// The built `tracetest` binary.
    package static var binary: String {
        if let path = ProcessInfo.processInfo.environment["TRACETEST_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("tracetest").path
    }

    /// Starts `tracetest <arguments>` in `directory` with `environment` added to a clean environment.
    package init(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var base = ["PATH": "/usr/bin:/bin", "HOME": directory]
        base.merge(environment) { $1 }
        process.environment = base
        errorFile = URL(fileURLWithPath: directory).appendingPathComponent("stderr-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Everything written to standard error so far (the server logs there).
    package var log: String {
        (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    }

    /// Waits for the process to end and returns its exit status; fails after `timeout`.
    package func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw TestServerError("tracetest did not exit within \(timeout); log:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Waits until the log says the HTTP API listens, and returns the port.
    package func waitUntilListening(timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = log.range(of: #"HTTP API listening on port (\d+)"#, options: .regularExpression),
                let port = Int(log[range].split(separator: " ").last ?? "")
            {
                return port
            }
            guard process.isRunning else { throw TestServerError("tracetest exited early; log:\n\(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestServerError("tracetest did not listen within \(timeout); log:\n\(log)")
    }

    /// Waits until the log contains `text`; fails after `timeout` or when the process ends first.
    package func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text) {
            guard process.isRunning else {
                throw TestServerError("tracetest exited before logging \(text); log:\n\(log)")
            }
            guard ContinuousClock.now < deadline else {
                throw TestServerError("tracetest did not log \(text) within \(timeout); log:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    package func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// `configuration`'s server address and storage as `tracetest.yaml` text, for servers started as processes; their
/// OTLP receiver listens on `otlpPorts` when given.
package func configurationYAML(
    _ configuration: ServerConfiguration, otlpPorts: (grpc: Int, http: Int)? = nil
) -> String {
    var yaml = """
        server:
          host: \(configuration.server.host)
          httpPort: \(configuration.server.httpPort)
          instanceName: "\(configuration.server.instanceName)"
        otlpServer:

        """
    if let otlpPorts {
        yaml += "  host: 127.0.0.1\n  grpcPort: \(otlpPorts.grpc)\n  httpPort: \(otlpPorts.http)\n"
    } else {
        yaml += "  enabled: false\n"
    }
    if let postgres = configuration.postgres {
        yaml += """
            postgres:
              host: \(postgres.host)
              port: \(postgres.port)
              user: \(postgres.user)
              password: "\(postgres.password)"
              dbname: \(postgres.database)
              params: "\(postgres.params)"

            """
    } else {
        yaml += "sqlite:\n  path: \(configuration.sqlite.path)\n"
    }
    return yaml
}
