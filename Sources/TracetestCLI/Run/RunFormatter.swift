import Foundation
import OrderedCollections
import TracetestModel

/// A test run as read from the server: the wire object (for JSON/YAML output, results passed through unchanged)
/// and the model decoded from it.
struct RunView {
    var wire: WireValue
    var run: TestRun

    init(_ wire: WireValue) throws(CLIError) {
        var trimmed = wire
        if case .object(var fields) = wire {
            fields.removeValue(forKey: "trace")
            trimmed = .object(fields)
        }
        do {
            run = try JSONDecoder().decode(TestRun.self, from: Data(trimmed.jsonText.utf8))
        } catch {
            throw CLIError("the server answered a test run the CLI cannot read: \(error)")
        }
        self.wire = wire
    }

    /// Passed in the CLI's sense (cli.md §5.1 step 6): not a failure state, `result.allPassed`, required gates
    /// passed.
    var passed: Bool {
        !run.state.isFailure && (wire["result"]?["allPassed"]?.boolValue ?? false) && run.requiredGatesResult.passed
    }
    var isFinished: Bool { run.state.isTerminal }
    var allPassed: Bool { wire["result"]?["allPassed"]?.boolValue ?? false }
}

/// A test suite run as read from the server.
struct SuiteRunView {
    var wire: WireValue
    var steps: [RunView]

    init(_ wire: WireValue) throws(CLIError) {
        self.wire = wire
        var steps: [RunView] = []
        for step in wire["steps"]?.arrayValue ?? [] { steps.append(try RunView(step)) }
        self.steps = steps
    }

    var id: Int { wire["id"]?.intValue ?? 0 }
    var state: String { wire["state"]?.stringValue ?? "" }
    var isFinished: Bool { state == "FINISHED" || state == "FAILED" }
    var allStepsRequiredGatesPassed: Bool { wire["allStepsRequiredGatesPassed"]?.boolValue ?? false }

    /// Passed: not failed, every step's assertions passed, every step's required gates passed.
    var passed: Bool {
        state != "FAILED" && steps.allSatisfy(\.allPassed) && allStepsRequiredGatesPassed
    }
}

/// Renders run results in the layouts of cli.md §6: pretty (✔/✘ per spec, span and assertion, with links to the
/// web UI when there is one), JSON and YAML.
struct RunFormatter {
    /// The web UI base for links, e.g. `https://app.example.com`; nil: no links.
    let ui: String?
    let console: Console

    static let pass = "✔"
    static let fail = "✘"

    func testRunLink(testID: String, runID: Int) -> String? { ui.map { "\($0)/test/\(testID)/run/\(runID)/test" } }
    func suiteRunLink(suiteID: String, runID: Int) -> String? { ui.map { "\($0)/testsuite/\(suiteID)/run/\(runID)" } }

    /// ` (<link>)`, or nothing without a link.
    private static func linked(_ link: String?) -> String { link.map { " (\($0))" } ?? "" }

    // MARK: Pretty

    /// One test run; `resultsAwaited` false prints only the header (the run was started and not waited for).
    func prettyTest(test: WireValue, run: RunView, resultsAwaited: Bool = true) -> String {
        let name = test["name"]?.stringValue ?? ""
        let testID = test["id"]?.stringValue ?? ""
        let link = testRunLink(testID: testID, runID: run.run.id)
        let state = run.run.state
        if resultsAwaited, state.isFailure {
            let reason = run.run.failureReason
            return console.paintLines("\(Self.fail) \(name)\(Self.linked(link))\n\tReason: \(reason)\n", passed: false)
        }
        let specs = test["specs"]?.arrayValue ?? []
        let results = run.run.result
        let failing = resultsAwaited && !run.passed
        var text = "\(failing ? Self.fail : Self.pass) \(name)\(Self.linked(link)) - trace id: \(run.run.traceID.hex)\n"
        guard resultsAwaited else { return console.paintLines(text, passed: true) }
        guard failing else {
            for spec in specs { text += "\t\(Self.pass) \(Self.title(of: spec))\n" }
            for (line, _) in Self.outputLines(run.run.outputs) { text += line + "\n" }
            return console.paintLines(text, passed: true)
        }
        var lines: [(String, Bool)] = [(String(text.dropLast()), false)]
        for (index, spec) in specs.enumerated() {
            let specResult = results.flatMap { index < $0.results.count ? $0.results[index] : nil }
            let specPassed = specResult?.allPassed ?? true
            lines.append(("\t\(icon(specPassed)) \(Self.title(of: spec))", specPassed))
            guard let specResult else { continue }
            for block in Self.spanBlocks(specResult) {
                let blockPassed = block.assertions.allSatisfy(\.passed)
                lines.append(("\t\t\(icon(blockPassed)) #\(block.spanID ?? "meta")", blockPassed))
                for item in block.assertions {
                    var line = "\t\t\t\(icon(item.passed)) \(item.assertion)"
                    if !item.observedValue.isEmpty { line += " (\(item.observedValue))" }
                    // A false comparison ("no match") shows its observed value; any other error says why.
                    if !item.passed, let error = item.error, !error.isEmpty, error != "no match" {
                        line += " (error: \(error))"
                    }
                    if !item.passed, let link {
                        var deepLink = "\(link)?selectedAssertion=\(index)"
                        if let spanID = block.spanID { deepLink += "&selectedSpan=\(spanID)" }
                        line += " (\(deepLink))"
                    }
                    lines.append((line, item.passed))
                }
            }
        }
        lines += Self.outputLines(run.run.outputs)
        let gates = run.run.requiredGatesResult
        if !gates.required.isEmpty {
            lines.append(("", true))
            lines.append(("\t\(icon(gates.passed)) Required gates", gates.passed))
            for gate in gates.required {
                let gatePassed = !gates.failed.contains(gate)
                lines.append(("\t\t\(icon(gatePassed)) \(gate)", gatePassed))
            }
        }
        return lines.map { console.paintLines($0.0, passed: $0.1) }.joined(separator: "\n") + "\n"
    }

    /// A suite run: its header line, then each step's block indented by one more tab.
    func prettySuite(suite: WireValue, run: SuiteRunView, resultsAwaited: Bool = true) -> String {
        let name = suite["name"]?.stringValue ?? ""
        let suiteID = suite["id"]?.stringValue ?? ""
        let anyFailed = run.state == "FAILED" || run.steps.contains { !$0.allPassed }
        let headerPassed = !(resultsAwaited && anyFailed)
        var text =
            console.paintLines(
                "\(icon(headerPassed)) \(name)\(Self.linked(suiteRunLink(suiteID: suiteID, runID: run.id)))",
                passed: headerPassed
            )
            + "\n"
        guard resultsAwaited else { return text }
        let tests = suite["fullSteps"]?.arrayValue ?? []
        for (index, step) in run.steps.enumerated() {
            let test = index < tests.count ? tests[index] : .object(["id": .string(step.run.testID)])
            let block = prettyTest(test: test, run: step)
            text +=
                block.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { "\t" + $0 }.joined(separator: "\n") + "\n"
        }
        return text
    }

    private func icon(_ passed: Bool) -> String { passed ? Self.pass : Self.fail }

    /// The run's outputs, `\tOutputs` then `\t\tNAME = value` (or `\t\t✘ NAME: error`); nothing without outputs.
    static func outputLines(_ outputs: [RunOutput]) -> [(String, Bool)] {
        guard !outputs.isEmpty else { return [] }
        return [("\tOutputs", true)]
            + outputs.map { output in
                if let error = output.error, !error.isEmpty { return ("\t\t\(fail) \(output.name): \(error)", false) }
                return ("\t\t\(output.name) = \(output.value)", true)
            }
    }

    /// A spec's name, else its selector, else `All Spans`.
    static func title(of spec: WireValue) -> String {
        if let name = spec["name"]?.stringValue, !name.isEmpty { return name }
        if let selector = spec["selector"]?.stringValue, !selector.isEmpty { return selector }
        return "All Spans"
    }

    struct SpanBlock {
        var spanID: String?
        var assertions: [Item]

        struct Item {
            var assertion: String
            var observedValue: String
            var passed: Bool
            /// Why the assertion could not be evaluated (no span matched, an unknown attribute, …).
            var error: String?
        }
    }

    /// A spec's results grouped by span: results without a span (`#meta`) first, then spans in order of first
    /// appearance.
    static func spanBlocks(_ result: AssertionResults.SpecResult) -> [SpanBlock] {
        var meta = SpanBlock(spanID: nil, assertions: [])
        var blocks = OrderedDictionary<String, SpanBlock>()
        for assertion in result.results {
            for spanResult in assertion.spanResults {
                let item = SpanBlock.Item(
                    assertion: assertion.assertion, observedValue: spanResult.observedValue, passed: spanResult.passed,
                    error: spanResult.error)
                if let spanID = spanResult.spanID, !spanID.isEmpty {
                    blocks[spanID, default: SpanBlock(spanID: spanID, assertions: [])].assertions.append(item)
                } else {
                    meta.assertions.append(item)
                }
            }
        }
        return (meta.assertions.isEmpty ? [] : [meta]) + Array(blocks.values)
    }

    // MARK: JSON and YAML

    func testDocument(test: WireValue, run: RunView) -> WireValue {
        let link = testRunLink(testID: test["id"]?.stringValue ?? "", runID: run.run.id)
        var document: OrderedDictionary<String, WireValue> = [
            "testRunWebUrl": .string(link ?? ""), "results": run.wire["result"] ?? .object([:]),
            "state": .string(run.run.state.rawValue),
        ]
        if !run.run.lastErrorState.isEmpty { document["lastErrorState"] = .string(run.run.lastErrorState) }
        return .object(document)
    }

    func suiteDocument(suite: WireValue, run: SuiteRunView) -> WireValue {
        let tests = suite["fullSteps"]?.arrayValue ?? []
        let steps: [WireValue] = run.steps.enumerated().map { index, step in
            let name = index < tests.count ? tests[index]["name"] ?? .string("") : .string("")
            return .object(["name": name, "results": step.wire["result"] ?? .object([:])])
        }
        let link = suiteRunLink(suiteID: suite["id"]?.stringValue ?? "", runID: run.id)
        return .object(["testRunWebUrl": .string(link ?? ""), "steps": .array(steps)])
    }

    /// A document as the output format writes it (JSON with the extra trailing newline upstream prints).
    static func render(_ document: WireValue, _ format: OutputFormat) -> String {
        switch format {
        case .json: return document.indentedJSON + "\n"
        case .yaml: return (try? document.yamlText()) ?? document.indentedJSON + "\n"
        case .pretty, .markdown: return ""
        }
    }
}
