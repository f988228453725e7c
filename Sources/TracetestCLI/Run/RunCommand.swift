import ArgumentParser
import Foundation
import TracetestModel

/// `tracetest run [test|testsuite] (-f FILE... | --id ID...)`: runs tests and suites and waits for their results
/// (cli.md §5–§9).
package struct RunCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run tests or test suites and wait for their results.",
        discussion: """
            A file is applied first (like 'tracetest apply'); its `type` decides whether it runs as a test or a \
            suite. ${NAME} in the file is replaced by the environment variable NAME before it is sent (the file \
            on disk is not changed, except that an id is written into a file without one). Several files or ids \
            run one after the other.

            Exit codes: 0 every run passed (or --skip-result-wait), 1 error, 2 a run did not pass, \
            3 a definition file does not exist.
            """
    )

    @Argument(help: ArgumentHelp("What to run: test or testsuite (needed with --id).", valueName: "resource"))
    var resource: String?

    @Option(
        name: [.short, .long], parsing: .singleValue,
        help: ArgumentHelp("Definition file of a test or suite; repeat for several.", valueName: "file"))
    var file: [String] = []

    @Option(
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Id of a test or suite; repeat for several.", valueName: "id"))
    var id: [String] = []

    @Option(help: ArgumentHelp("Variable set: a file (applied first) or the id of a stored one.", valueName: "file|id"))
    var vars: String?

    @Option(
        name: [.customShort("e"), .customLong("environment")],
        help: ArgumentHelp("Deprecated name of --vars.", valueName: "file|id"))
    var environment: String?

    @Option(
        name: .customLong("required-gates"), parsing: .singleValue,
        help: ArgumentHelp(
            "Gates the run must pass, comma-separated or repeated: analyzer-score, analyzer-rules, test-specs "
                + "(default: the server's test runner settings).", valueName: "gates"))
    var requiredGates: [String] = []

    @Flag(
        name: [.customShort("W"), .customLong("skip-result-wait")],
        help: "Start the runs and exit without waiting for their results.")
    var skipResultWait = false

    @Option(
        name: [.customShort("j"), .long],
        help: ArgumentHelp("Write the run's JUnit XML report to this file.", valueName: "file"))
    var junit: String?

    @OptionGroup var global: GlobalOptions

    package init() {}

    package func run() async throws {
        let console = global.console
        try await runReportingErrors(console) {
            let format = try global.outputFormat(default: .pretty)
            let plan = try validate(console: console)
            try checkFilesExist(console: console)
            try await Session.with(global) { session in
                let runner = Runner(session: session, format: format, plan: plan)
                try await runner.runAll(files: file, ids: id)
            }
        }
    }

    /// The flag checks of cli.md §5, all reported together.
    private func validate(console: Console) throws(CLIError) -> Runner.Plan {
        var problems: [String] = []
        var kind: ResourceKind?
        if let resource, !resource.isEmpty {
            switch resource.lowercased() {
            case "test": kind = .test
            case "testsuite": kind = .testSuite
            case "transaction":
                console.warning(
                    "The resource `transaction` is deprecated and will be removed in a future version. "
                        + "Please use `testsuite` instead.")
                kind = .testSuite
            default:
                problems.append("[resource] cannot run \"\(resource)\"; the runnable resources are test and testsuite")
            }
        }
        if file.isEmpty, id.isEmpty {
            problems.append("[resource] you must specify at least one definition file or resource ID")
        }
        if !id.isEmpty, kind == nil, resource == nil {
            problems.append(
                "[resource] you must specify a resource name (test|testsuite) when providing a resource IDs")
        }
        if !file.isEmpty, !id.isEmpty {
            problems.append("[resource] you cannot specify both a definition file and resource ID")
        }
        if junit != nil, skipResultWait {
            problems.append("[junit] --junit option is incompatible with --skip-result-wait option")
        }
        if junit != nil, file.count + id.count > 1 {
            problems.append("[junit] --junit writes the report of one run; give one --file or --id")
        }
        let gates = requiredGates.flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let known = ["analyzer-score", "analyzer-rules", "test-specs"]
        for gate in gates where !known.contains(gate) {
            problems.append(
                "[required-gates] invalid option '\(gate)'. valid options: \(known.joined(separator: ", "))")
        }
        if vars != nil, environment != nil {
            problems.append("[vars] give --vars or its deprecated name --environment, not both")
        }
        if environment != nil { console.warning("--environment is deprecated; use --vars instead.") }
        guard problems.isEmpty else {
            throw CLIError(
                "The following errors occurred when validating the flags:\n" + problems.joined(separator: "\n"),
                hint: "See 'tracetest run --help'.")
        }
        return Runner.Plan(
            kind: kind, variableSet: vars ?? environment, requiredGates: requiredGates.isEmpty ? nil : gates,
            skipResultWait: skipResultWait, junit: junit)
    }

    /// Every `--file` must exist before anything runs (exit code 3).
    private func checkFilesExist(console: Console) throws(CLIError) {
        let directory = FileManager.default.currentDirectoryPath
        let missing = file.filter { !FileManager.default.fileExists(atPath: CLIConfig.absolute($0, in: directory)) }
        guard !missing.isEmpty else { return }
        for path in missing { console.warning("Definition file does not exist: \(path)") }
        throw CLIError(
            "Invalid definition file found, stopping execution",
            hint: "Check the --file paths (relative paths are read from \(directory)).",
            exitCode: CLIExit.missingFile)
    }
}
