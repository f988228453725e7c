import Foundation

/// What a finished process printed, and how it ended.
package struct ProcessOutput: Sendable {
    package var status: Int32
    package var output: Data
    package var errors: Data
}

/// Runs `executable` with `arguments` to its end. Waiting and reading happen on Dispatch threads, never on the
/// concurrency pool that in-process servers of the same test run need (a blocked pool thread stalls them all).
package func runProcess(_ executable: String, _ arguments: [String]) async throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let exited = AsyncStream<Void> { continuation in
        process.terminationHandler = { _ in continuation.finish() }
    }
    try process.run()
    async let out = readToEnd(output.fileHandleForReading)
    async let err = readToEnd(errors.fileHandleForReading)
    for await _ in exited {}
    let (outputData, errorData) = await (out, err)
    return ProcessOutput(status: process.terminationStatus, output: outputData, errors: errorData)
}

private func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}
