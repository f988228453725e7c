import ArgumentParser
import Foundation
import TracetestModel

/// The entry point of the `tracetest` executable: parses the arguments with `Root` and runs the chosen command.
///
/// Global options written before the command name (`tracetest --config c.yml run test ...`) are moved after it,
/// so they may be given on either side. Usage errors exit with code 1 (cli.md §9) instead of ArgumentParser's 64.
package enum CommandLineEntry {
    /// Parses `arguments` (default: the process's) and runs the command; never returns.
    package static func main<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) async -> Never {
        let arguments = reorderGlobalOptions(arguments ?? Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try Root.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            if let unknown = unknownCommand(in: arguments, of: Root.self) {
                FileHandle.standardError.write(Data(unknown.utf8))
                Foundation.exit(CLIExit.error)
            }
            let code = Root.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Root.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(CLIExit.error)
            }
            Root.exit(withError: error)
        }
    }

    /// The message for a first word that names no command, with the closest one (as upstream's CLI words it), or
    /// nil when the first word is a command or an option.
    static func unknownCommand(in arguments: [String], of root: any ParsableCommand.Type) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = root.configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
        guard !names.isEmpty, !names.contains(first) else { return nil }
        var message = "Error: unknown command \"\(first)\" for \"tracetest\"\n"
        if let closest = Suggestion.closest(to: first, among: names) {
            message += "\nDid you mean this?\n\t\(closest)\n"
        }
        return message + "\nRun 'tracetest --help' for usage.\n"
    }

    /// Options that take a value, and flags, that every client command accepts.
    static let globalOptionsWithValue: Set<String> = [
        "--config", "-c", "--output", "-o", "--server-url", "-s", "--token",
    ]
    static let globalFlags: Set<String> = ["--verbose", "-v", "--skip-verify"]

    /// Moves leading global options after the first word that is not one (the command name).
    static func reorderGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if globalOptionsWithValue.contains(name) {
                leading.append(argument)
                if !argument.contains("="), index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 1
                }
            } else if globalFlags.contains(argument) {
                leading.append(argument)
            } else {
                break
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
