import Foundation

/// The Python with the OpenTelemetry SDK that scripts/test installs (`TRACETEST_TEST_PYTHON`, else `.venv/bin/python`).
package enum Python {
    package static var executable: String {
        if let path = ProcessInfo.processInfo.environment["TRACETEST_TEST_PYTHON"], !path.isEmpty { return path }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// Runs `script` with `arguments` and returns its standard output; a non-zero exit throws with standard error.
    package static func run(_ script: String, _ arguments: [String]) async throws -> String {
        let result = try await runProcess(executable, [script] + arguments)
        guard result.status == 0 else {
            throw TestServerError(
                "\(script) \(arguments.joined(separator: " ")) failed (\(result.status)); "
                    + "are Tests/requirements.txt's packages installed? (scripts/test installs them into .venv)\n"
                    + String(decoding: result.output, as: UTF8.self) + String(decoding: result.errors, as: UTF8.self))
        }
        return String(decoding: result.output, as: UTF8.self)
    }

    /// Runs `script` and parses its last output line as a JSON object.
    package static func json(_ script: String, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await run(script, arguments)
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestServerError("not a JSON object: \(output)")
        }
        return object
    }
}

extension Python {
    /// The demo service of `Tests/Demo/demo_app.py` (see its header), exporting spans over OTLP/gRPC to
    /// `otlpPort`; `body` gets the port it listens on. The app is terminated afterwards. With `tls` (certificate and
    /// key files) it serves HTTPS.
    package static func withDemoApp<R>(
        otlpPort: Int, flushMilliseconds: Int = 50, tls: (certificate: String, key: String)? = nil,
        _ body: (Int) async throws -> R
    ) async throws -> R {
        try await withService(
            "demo_app.py",
            ["--otlp", "127.0.0.1:\(otlpPort)", "--flush-ms", String(flushMilliseconds)]
                + (tls.map { ["--tls", $0.certificate, $0.key] } ?? []), body)
    }

    /// Runs the service `Tests/Demo/<script>` with `arguments` until `body` returns; `body` gets the port from the
    /// `listening <port>` line the service prints once it serves. The service is terminated afterwards.
    package static func withService<R>(
        _ script: String, _ arguments: [String], _ body: (Int) async throws -> R
    ) async throws -> R {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Demo/\(script)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let result = try await serve(script, output, body)
            await stop(process)
            return result
        } catch {
            await stop(process)
            throw error
        }
    }

    private static func serve<R>(_ script: String, _ output: Pipe, _ body: (Int) async throws -> R) async throws -> R {
        let line = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while let next = try? output.fileHandleForReading.read(upToCount: 1), let byte = next.first,
                    byte != UInt8(ascii: "\n")
                {
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) else {
            throw TestServerError(
                "\(script) did not start (\(line)); are Tests/requirements.txt's packages in .venv? (scripts/test "
                    + "installs them)")
        }
        return try await body(port)
    }

    /// SIGTERM, then SIGKILL if it is still there after 2 s; never blocks a thread.
    private static func stop(_ process: Process) async {
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<40 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(pid, SIGKILL) }
    }
}
