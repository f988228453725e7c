import Foundation

/// The Python with the OpenTelemetry SDK that scripts/test installs (`TRACETEST_TEST_PYTHON`, else `.venv/bin/python`).
public enum Python {
    public static var executable: String {
        if let path = ProcessInfo.processInfo.environment["TRACETEST_TEST_PYTHON"], !path.isEmpty { return path }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// Runs `script` with `arguments` and returns its standard output; a non-zero exit throws with standard error.
    public static func run(_ script: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        // Blocking reads run on Dispatch threads, never on the concurrency pool an in-process server needs.
        async let out = readToEnd(output.fileHandleForReading)
        async let err = readToEnd(errors.fileHandleForReading)
        for await _ in exited {}
        let (outputData, errorData) = await (out, err)
        guard process.terminationStatus == 0 else {
            throw TestServerError(
                "\(script) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)); "
                    + "is the OpenTelemetry SDK installed? (scripts/test installs it into .venv)\n"
                    + String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: outputData, as: UTF8.self)
    }

    private static func readToEnd(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// Runs `script` and parses its last output line as a JSON object.
    public static func json(_ script: String, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await run(script, arguments)
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestServerError("not a JSON object: \(output)")
        }
        return object
    }
}
