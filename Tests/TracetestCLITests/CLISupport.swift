import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// What one invocation of the built `tracetest` binary printed, and how it ended.
struct CLIResult: CustomStringConvertible {
    var exitCode: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs the built `tracetest` binary (the one `ServerProcess` starts) as a user would: in `directory`, with a clean
/// environment whose `HOME` is `directory`, standard input from `input` (not a terminal).
func tracetest(
    _ arguments: [String], in directory: String, environment: [String: String] = [:], input: String = "",
    timeout: Duration = .seconds(120)
) async throws -> CLIResult {
    var base = ["PATH": "/usr/bin:/bin", "HOME": directory]
    base.merge(environment) { $1 }
    return try await run(
        ServerProcess.binary, arguments, in: directory, environment: base, input: input, timeout: timeout)
}

/// Runs `executable` with exactly `environment`, output captured in files (no pipe can fill up).
func run(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String],
    input: String = "", timeout: Duration = .seconds(120)
) async throws -> CLIResult {
    let id = UUID().uuidString
    let outURL = URL(fileURLWithPath: directory).appendingPathComponent(".out-\(id)")
    let errURL = URL(fileURLWithPath: directory).appendingPathComponent(".err-\(id)")
    let inURL = URL(fileURLWithPath: directory).appendingPathComponent(".in-\(id)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(input.utf8))
    defer {
        for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = try FileHandle(forReadingFrom: inURL)
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        guard ContinuousClock.now < deadline else {
            process.terminate()
            throw TestServerError("\(executable) \(arguments.joined(separator: " ")) did not end within \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    return CLIResult(
        exitCode: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so the CLI sees a terminal and asks its questions;
/// `input` is typed ahead and answers them. Everything the terminal showed is in `stdout`.
func tracetestOnTerminal(
    _ arguments: [String], in directory: String, input: String
) async throws -> CLIResult {
    let command = ([ServerProcess.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
    return try await run(
        "/usr/bin/script", ["-qec", command, "/dev/null"], in: directory,
        environment: ["PATH": "/usr/bin:/bin", "HOME": directory, "NO_COLOR": "1", "TERM": "dumb"], input: input)
}

/// Writes `text` to `name` under `directory`, creating folders.
func write(_ text: String, to name: String, in directory: String) throws {
    let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}

func read(_ name: String, in directory: String) throws -> String {
    try String(contentsOfFile: URL(fileURLWithPath: directory).appendingPathComponent(name).path, encoding: .utf8)
}

/// The expected output `name` from `Fixtures/`.
func fixture(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw TestServerError("no fixture \(name)")
    }
    return try String(contentsOf: url, encoding: .utf8)
}

/// A CLI configuration for the server on `port`, written as `config.yml` in `directory`.
func writeConfig(port: Int, in directory: String) throws {
    try write("scheme: http\nendpoint: 127.0.0.1:\(port)\nanalyticsEnabled: false\n", to: "config.yml", in: directory)
}

/// Output with what changes between runs replaced: the server port, run numbers in links, trace and span ids.
func normalized(_ text: String, port: Int) -> String {
    var text = text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "<server>")
    text = text.replacing(/trace id: [0-9a-f]{32}/, with: "trace id: <trace>")
    text = text.replacing(/#[0-9a-f]{16}/, with: "#<span>")
    text = text.replacing(/selectedSpan=[0-9a-f]{16}/, with: "selectedSpan=<span>")
    text = text.replacing(/Trace id `[0-9a-f]{32}`/, with: "Trace id `<trace>`")
    text = text.replacing(/on span `[0-9a-f]{16}`/, with: "on span `<span>`")
    return text
}
