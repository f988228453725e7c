/// JUnit XML of run results (cli.md §7): one `testsuite` per spec, named by the spec's name (its selector then in a
/// `selector` property) or else by its selector, one `testcase` per assertion and span; a false assertion is a
/// `failure` (message: the observed value), any other evaluation error an `error`. Tab-indented, no XML declaration,
/// Go's attribute escaping. The server writes the report of a test run; the CLI combines a suite run's steps.
package enum JUnitReport {
    /// One test run of a report.
    package struct TestResults: Sendable {
        package var testName: String
        /// The specs' names in the order of `results` (empty for a spec without a name).
        package var specNames: [String]
        /// Nil when the run ended before it had results.
        package var results: AssertionResults?
        /// The state and reason of a run that ended in a failure state.
        package var failure: (state: String, reason: String)?

        package init(
            testName: String, specNames: [String], results: AssertionResults?,
            failure: (state: String, reason: String)? = nil
        ) {
            self.testName = testName
            self.specNames = specNames
            self.results = results
            self.failure = failure
        }
    }

    /// The report of one test run that took `seconds`.
    package static func xml(_ run: TestResults, seconds: Int) -> String {
        document(name: run.testName, suites: suites(of: run, prefix: ""), seconds: seconds)
    }

    /// The report of a suite run: each step's specs as `testsuite`s named `<test name>: <spec>`, in step order.
    package static func suite(name: String, steps: [TestResults], seconds: Int) -> String {
        document(name: name, suites: steps.flatMap { suites(of: $0, prefix: $0.testName + ": ") }, seconds: seconds)
    }

    private struct Suite {
        var name: String
        var properties: [(String, String)] = []
        var cases: [String] = []
        var counts = Counts()
    }

    private struct Counts {
        var tests = 0
        var failures = 0
        var errors = 0

        static func + (left: Counts, right: Counts) -> Counts {
            Counts(
                tests: left.tests + right.tests, failures: left.failures + right.failures,
                errors: left.errors + right.errors)
        }
    }

    private static func suites(of run: TestResults, prefix: String) -> [Suite] {
        guard let results = run.results, run.failure == nil else {
            // A run without results is one test case, the run, with its reason as the error.
            let (state, reason) = run.failure ?? ("FAILED", "the run has no results")
            var suite = Suite(name: prefix + "run")
            suite.cases = [testCase(state, error: reason)]
            suite.counts = Counts(tests: 1, failures: 0, errors: 1)
            return [suite]
        }
        return results.results.enumerated().map { position, spec in
            let specName = position < run.specNames.count ? run.specNames[position] : ""
            let selector = spec.selector["query"]?.stringValue ?? ""
            var suite = Suite(name: prefix + (specName.isEmpty ? selector : specName))
            if !specName.isEmpty { suite.properties = [("selector", selector)] }
            for assertion in spec.results {
                for span in assertion.spanResults {
                    suite.counts.tests += 1
                    if span.passed {
                        suite.cases.append(testCase(assertion.assertion))
                    } else if span.error == nil || span.error == noMatch {
                        suite.counts.failures += 1
                        suite.cases.append(testCase(assertion.assertion, failure: span.observedValue))
                    } else {
                        suite.counts.errors += 1
                        suite.cases.append(testCase(assertion.assertion, error: span.error ?? ""))
                    }
                }
            }
            return suite
        }
    }

    /// The error text of a comparison that is false.
    static let noMatch = "no match"

    private static func testCase(_ name: String, failure: String? = nil, error: String? = nil) -> String {
        let name = escape(name)
        if let failure {
            return "\t\t<testcase name=\"\(name)\">\n\t\t\t<failure type=\"\(name)\" message=\"\(escape(failure))\">"
                + "</failure>\n\t\t</testcase>"
        }
        if let error {
            return "\t\t<testcase name=\"\(name)\">\n\t\t\t<error type=\"error\" message=\"\(escape(error))\"></error>"
                + "\n\t\t</testcase>"
        }
        return "\t\t<testcase name=\"\(name)\"></testcase>"
    }

    private static func document(name: String, suites: [Suite], seconds: Int) -> String {
        let totals = suites.map(\.counts).reduce(Counts(), +)
        let elements = suites.map { suite in
            var children = suite.cases
            if !suite.properties.isEmpty {
                let properties = suite.properties.map {
                    "\t\t\t<property name=\"\(escape($0.0))\" value=\"\(escape($0.1))\"></property>"
                }
                children.insert(
                    "\t\t<properties>\n" + properties.joined(separator: "\n") + "\n\t\t</properties>", at: 0)
            }
            return "\t<testsuite name=\"\(escape(suite.name))\"\(attributes(suite.counts))>"
                + (children.isEmpty ? "" : "\n" + children.joined(separator: "\n") + "\n\t") + "</testsuite>"
        }
        return "<testsuites name=\"\(escape(name))\"\(attributes(totals)) time=\"\(seconds)\">"
            + (elements.isEmpty ? "" : "\n" + elements.joined(separator: "\n") + "\n") + "</testsuites>"
    }

    private static func attributes(_ counts: Counts) -> String {
        " tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"0\""
    }

    /// Attribute text escaped as Go's encoder does; characters XML cannot hold (control characters) become U+FFFD.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "&#34;"
            case "'": escaped += "&#39;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\n": escaped += "&#xA;"
            case "\t": escaped += "&#x9;"
            case "\r": escaped += "&#xD;"
            case "\u{20}"..."\u{D7FF}", "\u{E000}"..."\u{FFFD}", "\u{10000}"..."\u{10FFFF}":
                escaped.unicodeScalars.append(scalar)
            default: escaped += "\u{FFFD}"
            }
        }
        return escaped
    }
}
