import ArgumentParser

/// An error the CLI reports to its user: what went wrong, and what to do about it, with the exit code it ends with.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var hint: String?
    var exitCode: Int32

    init(_ message: String, hint: String? = nil, exitCode: Int32 = 1) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    var description: String {
        hint.map { "\(message)\n\($0)" } ?? message
    }

    /// The run did not pass (exit code 2); the result has been printed already.
    static let notPassed = CLIError("", exitCode: 2)
}

/// Exit codes of the CLI (cli.md §9).
enum CLIExit {
    static let passed: Int32 = 0
    static let error: Int32 = 1
    static let notPassed: Int32 = 2
    static let missingFile: Int32 = 3
}

/// Runs a command body: prints a `CLIError` (or any other error) on standard error, never a stack trace, and turns
/// it into the process exit code.
func runReportingErrors(_ console: Console, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        if !error.message.isEmpty {
            console.error(console.paint("Error:", .red) + " " + error.description)
        }
        throw ExitCode(error.exitCode)
    } catch let error as ExitCode {
        throw error
    } catch {
        console.error(console.paint("Error:", .red) + " \(error)")
        throw ExitCode(CLIExit.error)
    }
}
