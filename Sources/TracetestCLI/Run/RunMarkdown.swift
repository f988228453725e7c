import TracetestModel

/// Run results as Markdown, for CI job summaries (`-o markdown`): a heading per run with its trace id, then a table
/// with one row per spec and assertion (how many spans passed, and the observed value or error where one failed),
/// then the outputs.
extension RunFormatter {
    func markdownTest(test: WireValue, run: RunView, resultsAwaited: Bool = true, level: Int = 2) -> String {
        let name = test["name"]?.stringValue ?? run.run.testID
        let link = testRunLink(testID: test["id"]?.stringValue ?? "", runID: run.run.id)
        let passed = !resultsAwaited || run.passed
        var text =
            "\(String(repeating: "#", count: level)) \(passed ? Self.pass : Self.fail) \(Self.linked(name, link))\n\n"
        text += "Trace id `\(run.run.traceID.hex)`, run \(run.run.id), state \(run.run.state.rawValue)\n"
        guard resultsAwaited else { return text }
        if run.run.state.isFailure {
            return text + "\n**Reason:** \(Self.inline(run.run.failureReason))\n"
        }
        let specs = test["specs"]?.arrayValue ?? []
        var rows: [[String]] = []
        for (index, specResult) in (run.run.result?.results ?? []).enumerated() {
            let title = index < specs.count ? Self.title(of: specs[index]) : "All Spans"
            for assertion in specResult.results {
                let spans = assertion.spanResults
                let passedCount = spans.filter(\.passed).count
                let failure = spans.first { !$0.passed }.map { span in
                    var detail = span.observedValue.isEmpty ? "" : "`\(span.observedValue)`"
                    if let error = span.error, !error.isEmpty, error != "no match" {
                        detail += (detail.isEmpty ? "" : " ") + "(error: \(error))"
                    }
                    if let spanID = span.spanID, !spanID.isEmpty { detail += " on span `\(spanID)`" }
                    return detail
                }
                rows.append([
                    assertion.allPassed ? Self.pass : Self.fail, title, "`\(assertion.assertion)`",
                    spans.count == 1 && spans[0].spanID == nil ? "" : "\(passedCount) of \(spans.count)",
                    failure ?? "",
                ])
            }
        }
        if !rows.isEmpty {
            text +=
                "\n" + Table(headers: ["", "Spec", "Assertion", "Spans passed", "Failed with"], rows: rows).markdown
        }
        let outputs = run.run.outputs
        if !outputs.isEmpty {
            let rows = outputs.map { output in
                [output.name, output.error.flatMap { $0.isEmpty ? nil : "\(Self.fail) \($0)" } ?? "`\(output.value)`"]
            }
            text += "\n" + Table(headers: ["Output", "Value"], rows: rows).markdown
        }
        let gates = run.run.requiredGatesResult
        if !passed, !gates.required.isEmpty {
            let rows = gates.required.map { [gates.failed.contains($0) ? Self.fail : Self.pass, $0] }
            text += "\n" + Table(headers: ["", "Required gate"], rows: rows).markdown
        }
        return text
    }

    func markdownSuite(suite: WireValue, run: SuiteRunView, resultsAwaited: Bool = true) -> String {
        let name = suite["name"]?.stringValue ?? ""
        let link = suiteRunLink(suiteID: suite["id"]?.stringValue ?? "", runID: run.id)
        let passed = !resultsAwaited || run.passed
        var text = "# \(passed ? Self.pass : Self.fail) \(Self.linked(name, link))\n"
        guard resultsAwaited else { return text }
        let tests = suite["fullSteps"]?.arrayValue ?? []
        for (index, step) in run.steps.enumerated() {
            let test = index < tests.count ? tests[index] : .object(["id": .string(step.run.testID)])
            text += "\n" + markdownTest(test: test, run: step)
        }
        return text
    }

    /// `[text](link)`, or the text alone without a link.
    private static func linked(_ text: String, _ link: String?) -> String {
        let escaped = inline(text)
        return link.map { "[\(escaped)](\($0))" } ?? escaped
    }

    /// Text kept on one line with Markdown's special characters escaped.
    private static func inline(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            if "\\`*_[]<>#|".unicodeScalars.contains(scalar) { escaped.append("\\") }
            escaped.unicodeScalars.append(scalar == "\n" || scalar == "\r" ? " " : scalar)
        }
        return escaped
    }
}
