import Foundation
import OrderedCollections
import TracetestModel

/// The single-run algorithm of cli.md §5.1, applied to each file or id in turn.
struct Runner {
    let session: Session
    let format: OutputFormat
    let plan: Plan

    struct Plan {
        /// From the positional argument; files decide by their own `type`.
        var kind: ResourceKind?
        var variableSet: String?
        var requiredGates: [String]?
        var skipResultWait: Bool
        var junit: String?
    }

    /// How often a run is read while waiting for it.
    static let pollInterval = Duration.milliseconds(500)

    private var console: Console { session.console }
    private var formatter: RunFormatter { RunFormatter(ui: session.config.uiBase, console: console) }

    func runAll(files: [String], ids: [String]) async throws {
        let variableSetID = try await resolveVariableSet()
        var allPassed = true
        for file in files {
            let target = try await applyFile(file)
            allPassed = try await run(target, variableSetID: variableSetID) && allPassed
        }
        for id in ids {
            let target = try await fetch(kind: plan.kind ?? .test, id: id)
            allPassed = try await run(target, variableSetID: variableSetID) && allPassed
        }
        if !allPassed { throw CLIError.notPassed }
    }

    struct Target {
        var kind: ResourceKind
        var id: String
    }

    // MARK: Resolution

    /// `--vars`: a file is applied as a variable set, anything else is the id of a stored one.
    private func resolveVariableSet() async throws -> String {
        guard let value = plan.variableSet, !value.isEmpty else { return "" }
        var isDirectory: ObjCBool = false
        let path = CLIConfig.absolute(value, in: FileManager.default.currentDirectoryPath)
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            let resource = try ResourceCatalog.resolve("variableset", console: console)
            return try await Applier(session: session).apply(resource, file: value).id
        }
        let response = try await session.client.send(
            .GET, "/variablesets/\(pathComponent(value))", headers: [("Accept", "text/yaml")])
        if response.status == 404 {
            throw CLIError(
                "variable set '\(value)' not found",
                hint: "--vars takes a variable set file or the id of a stored one "
                    + "(see 'tracetest list variableset').")
        }
        guard response.isSuccess else { throw serverError("get variable set \(value)", response) }
        return value
    }

    /// Applies a definition file (with `${NAME}` substituted) and returns what to run: its `type` decides.
    private func applyFile(_ path: String) async throws -> Target {
        let file = try ResourceFile.read(
            path, relativeTo: FileManager.default.currentDirectoryPath, substitutingEnvironment: true)
        let kind: ResourceKind
        switch file.type {
        case "Test": kind = .test
        case "TestSuite", "Transaction": kind = .testSuite
        default:
            throw CLIError(
                "\(file.path) is a \(file.type ?? "file without `type`"); only Test and TestSuite files can be run",
                hint: "Use 'tracetest apply' for other resources.")
        }
        let resource = try ResourceCatalog.resolve(kind == .test ? "test" : "testsuite", console: console)
        let applied = try await Applier(session: session).apply(resource, file: path, substitutingEnvironment: true)
        return Target(kind: kind, id: applied.id)
    }

    /// A stored test or suite by id.
    private func fetch(kind: ResourceKind, id: String) async throws -> Target {
        let response = try await session.client.send(
            .GET, "/\(kind.plural)/\(pathComponent(id))", headers: acceptHeaders(.json))
        if response.status == 404 {
            let name = kind == .test ? "test" : "testsuite"
            throw CLIError(
                "\(name) '\(id)' not found", hint: "See the stored ones with 'tracetest list \(name)'.")
        }
        guard response.isSuccess else { throw serverError("get \(kind.plural) \(id)", response) }
        return Target(kind: kind, id: id)
    }

    /// The test or suite as augmented JSON (names, specs, full steps).
    private func definition(_ target: Target) async throws -> WireValue {
        let response = try await session.client.send(
            .GET, "/\(target.kind.plural)/\(pathComponent(target.id))", headers: acceptHeaders(.json))
        guard response.isSuccess else { throw serverError("get \(target.kind.plural) \(target.id)", response) }
        return try parseJSON(response)["spec"] ?? .object([:])
    }

    // MARK: Running

    /// Starts, waits for and prints one run; true when it passed (or was not waited for).
    private func run(_ target: Target, variableSetID: String) async throws -> Bool {
        let started = try await start(target, variableSetID: variableSetID)
        let definition = try await definition(target)
        switch target.kind {
        case .testSuite:
            var suiteRun = try SuiteRunView(started)
            if plan.skipResultWait {
                print(
                    formatter.prettySuite(suite: definition, run: suiteRun, resultsAwaited: false),
                    markdown: formatter.markdownSuite(suite: definition, run: suiteRun, resultsAwaited: false)
                ) { formatter.suiteDocument(suite: definition, run: suiteRun) }
                return true
            }
            let path = "/testsuites/\(pathComponent(target.id))/run/\(suiteRun.id)"
            while !suiteRun.isFinished {
                try await Task.sleep(for: Self.pollInterval)
                suiteRun = try SuiteRunView(try await read(path))
            }
            print(
                formatter.prettySuite(suite: definition, run: suiteRun),
                markdown: formatter.markdownSuite(suite: definition, run: suiteRun)
            ) { formatter.suiteDocument(suite: definition, run: suiteRun) }
            if let junit = plan.junit { try writeJUnit(Self.junitReport(suite: definition, run: suiteRun), to: junit) }
            return suiteRun.passed
        default:
            var testRun = try RunView(started)
            if plan.skipResultWait {
                print(
                    formatter.prettyTest(test: definition, run: testRun, resultsAwaited: false),
                    markdown: formatter.markdownTest(test: definition, run: testRun, resultsAwaited: false)
                ) { formatter.testDocument(test: definition, run: testRun) }
                return true
            }
            let path = "/tests/\(pathComponent(target.id))/run/\(testRun.run.id)"
            while !testRun.isFinished {
                try await Task.sleep(for: Self.pollInterval)
                testRun = try RunView(try await read(path))
            }
            print(
                formatter.prettyTest(test: definition, run: testRun),
                markdown: formatter.markdownTest(test: definition, run: testRun)
            ) { formatter.testDocument(test: definition, run: testRun) }
            if let junit = plan.junit {
                try writeJUnit(try await junitReport(target, runID: testRun.run.id), to: junit)
            }
            return testRun.passed
        }
    }

    private func print(
        _ pretty: @autoclosure () -> String, markdown: @autoclosure () -> String, _ document: () -> WireValue
    ) {
        switch format {
        case .pretty: console.line(pretty())
        case .markdown: console.line(markdown())
        case .json, .yaml: console.line(RunFormatter.render(document(), format))
        }
    }

    private func read(_ path: String) async throws -> WireValue {
        let response = try await session.client.send(.GET, path)
        guard response.isSuccess else { throw serverError("read the run \(path)", response) }
        return try parseJSON(response)
    }

    /// `POST <plural>/<id>/run`, asking for missing variables (422) until the server accepts the run.
    private func start(_ target: Target, variableSetID: String) async throws -> WireValue {
        var variables: [KeyValue] = []
        while true {
            let information = RunInformation(
                variableSetID: variableSetID, variables: variables, metadata: Self.metadata(),
                requiredGates: plan.requiredGates)
            let body = try WireEncoder().encode(information).jsonText
            let response = try await session.client.send(
                .POST, "/\(target.kind.plural)/\(pathComponent(target.id))/run", body: body,
                headers: [("Content-Type", "application/json")])
            switch response.status {
            case 200..<300:
                return try parseJSON(response)
            case 404:
                throw CLIError(
                    "resource not found in server: \(target.kind.name) \(target.id) (\(response.errorText))",
                    hint: "Check the id with 'tracetest list \(target.kind == .test ? "test" : "testsuite")'.")
            case 422:
                variables += try askForMissingVariables(response, target: target, given: variables)
            case 424:
                throw CLIError("Agent is not started for this environment. Please start the agent and try again.")
            default:
                throw CLIError(
                    "could not run \(target.kind.name) \(target.id): \(response.errorText) (code \(response.status))")
            }
        }
    }

    /// The 422 flow of cli.md §5.1: on a terminal, ask for each missing variable (empty answer = its default);
    /// elsewhere fail with the list of variables and how to provide them.
    private func askForMissingVariables(
        _ response: APIResponse, target: Target, given: [KeyValue]
    ) throws(CLIError) -> [KeyValue] {
        var missing = OrderedDictionary<String, String?>()
        if let entries = (try? OrderedJSON.parse(response.body))?["missingVariables"]?.arrayValue {
            for entry in entries {
                for variable in entry["variables"]?.arrayValue ?? [] {
                    guard let key = variable["key"]?.stringValue, missing[key] == nil else { continue }
                    missing[key] = .some(variable["defaultValue"]?.stringValue)
                }
            }
        }
        let newKeys = missing.keys.filter { key in !given.contains { $0.key == key } }
        guard !newKeys.isEmpty else {
            throw CLIError(
                "could not run \(target.kind.name) \(target.id): \(response.errorText) (code 422)",
                hint: "The server still reports missing variables after they were given.")
        }
        guard Console.isInteractive else {
            throw CLIError(
                "\(target.kind.name) \(target.id) needs values for variables that are not set: "
                    + newKeys.joined(separator: ", "),
                hint: "Give them in a variable set: --vars <file or id> (a file `type: VariableSet` with "
                    + "`spec.values: [{key: \(newKeys[0]), value: ...}]`), or run on a terminal to be asked for them.")
        }
        console.warning("Some variables are required by one or more tests")
        console.info("Fill the values for each variable:")
        var answers: [KeyValue] = []
        for key in newKeys {
            let fallback = missing[key].flatMap { $0 } ?? ""
            console.write(fallback.isEmpty ? "\(key): " : "\(key) (default: \(fallback)): ")
            let answer = readLine() ?? ""
            answers.append(KeyValue(key: key, value: answer.isEmpty ? fallback : answer))
        }
        return answers
    }

    /// `tracetest.source`, the CLI version and, on a recognised CI, the build and git details.
    static func metadata(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var metadata = [
            "tracetest.source": "cli", "tracetest.cli.version": VersionCheck.display(TracetestVersion.current),
        ]
        func set(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { metadata[key] = value }
        }
        if environment["GITHUB_ACTIONS"] == "true" {
            let server = environment["GITHUB_SERVER_URL"] ?? "https://github.com"
            let repository = environment["GITHUB_REPOSITORY"] ?? ""
            set("ci.provider", "GitHub Actions")
            set("ci.build.url", "\(server)/\(repository)/actions/runs/\(environment["GITHUB_RUN_ID"] ?? "")")
            set("ci.build.number", environment["GITHUB_RUN_NUMBER"])
            set(environment["GITHUB_REF_TYPE"] == "tag" ? "git.tag" : "git.branch", environment["GITHUB_REF_NAME"])
            set("git.sha", environment["GITHUB_SHA"])
            set("git.GitRemote", "\(server)/\(repository)")
        } else if environment["GITLAB_CI"] != nil {
            set("ci.provider", "GitLab")
            set("ci.build.url", environment["CI_PIPELINE_URL"])
            set("ci.build.number", environment["CI_PIPELINE_IID"])
            set("git.branch", environment["CI_COMMIT_BRANCH"])
            set("git.tag", environment["CI_COMMIT_TAG"])
            set("git.sha", environment["CI_COMMIT_SHA"])
            set("git.GitRemote", environment["CI_REPOSITORY_URL"])
        }
        return metadata
    }

    /// A test run's report as the server writes it: `GET tests/<id>/run/<runId>/junit.xml`.
    private func junitReport(_ target: Target, runID: Int) async throws -> String {
        let response = try await session.client.send(
            .GET, "/tests/\(pathComponent(target.id))/run/\(runID)/junit.xml")
        guard response.isSuccess else { throw serverError("get the JUnit report of run \(runID)", response) }
        return response.body
    }

    /// A suite run's report, built from its steps' results: each step's specs, named `<test name>: <spec>`.
    static func junitReport(suite: WireValue, run: SuiteRunView) -> String {
        let tests = suite["fullSteps"]?.arrayValue ?? []
        let steps = run.steps.enumerated().map { index, step in
            let test = index < tests.count ? tests[index] : .object([:])
            let failed = step.run.state.isFailure || step.run.result == nil
            return JUnitReport.TestResults(
                testName: test["name"]?.stringValue ?? step.run.testID,
                specNames: (test["specs"]?.arrayValue ?? []).map { $0["name"]?.stringValue ?? "" },
                results: step.run.result,
                failure: failed ? (step.run.state.rawValue, step.run.failureReason) : nil)
        }
        return JUnitReport.suite(
            name: suite["name"]?.stringValue ?? "", steps: steps,
            seconds: run.steps.reduce(0) { $0 + $1.run.executionTime() })
    }

    /// Writes a JUnit report to `path` (created or truncated).
    private func writeJUnit(_ report: String, to path: String) throws(CLIError) {
        let absolute = CLIConfig.absolute(path, in: FileManager.default.currentDirectoryPath)
        do {
            try report.write(toFile: absolute, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError(
                "cannot write the JUnit report to \(absolute): \(error.localizedDescription)",
                hint: "Choose a writable path with --junit.")
        }
    }
}
