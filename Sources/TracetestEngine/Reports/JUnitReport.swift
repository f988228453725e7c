import TracetestLanguage
import TracetestModel

/// The JUnit XML of a run's results (cli.md §7): one `testsuite` per spec named by its selector, one `testcase`
/// per assertion and selected span; a false assertion is a `failure` (message: the observed value), any other
/// evaluation error an `error`. Tab-indented, no XML declaration, Go's attribute escaping.
package enum JUnitReport {
    /// The report of `results` for the test named `testName`, which ran for `seconds`.
    package static func xml(testName: String, results: [SpecResult], seconds: Int) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0)
        for spec in results {
            var cases: [String] = []
            var counts = (tests: 0, failures: 0, errors: 0)
            for assertion in spec.assertions {
                for span in assertion.spanResults {
                    counts.tests += 1
                    let name = escape(assertion.assertion)
                    switch span.error {
                    case nil:
                        cases.append("\t\t<testcase name=\"\(name)\"></testcase>")
                    case let error? where error.code == .noMatch:
                        counts.failures += 1
                        cases.append(
                            "\t\t<testcase name=\"\(name)\">\n\t\t\t<failure type=\"\(name)\" message=\"\(escape(span.observedValue))\"></failure>\n\t\t</testcase>"
                        )
                    case let error?:
                        counts.errors += 1
                        cases.append(
                            "\t\t<testcase name=\"\(name)\">\n\t\t\t<error type=\"error\" message=\"\(escape(error.message))\"></error>\n\t\t</testcase>"
                        )
                    }
                }
            }
            totals.tests += counts.tests
            totals.failures += counts.failures
            totals.errors += counts.errors
            suites.append(
                "\t<testsuite name=\"\(escape(spec.selector))\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"0\">"
                    + (cases.isEmpty ? "" : "\n" + cases.joined(separator: "\n") + "\n\t") + "</testsuite>")
        }
        let header =
            "<testsuites name=\"\(escape(testName))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"0\" time=\"\(seconds)\">"
        return header + (suites.isEmpty ? "" : "\n" + suites.joined(separator: "\n") + "\n") + "</testsuites>"
    }

    /// The report of a run that ended in a failure state before it had results: one test case, the run, with the
    /// reason as its error (so `--junit` always has a file to write).
    package static func failedRun(testName: String, state: String, reason: String, seconds: Int) -> String {
        """
        <testsuites name="\(escape(testName))" tests="1" failures="0" errors="1" skipped="0" time="\(seconds)">
        \t<testsuite name="run" tests="1" failures="0" errors="1" skipped="0">
        \t\t<testcase name="\(escape(state))">
        \t\t\t<error type="error" message="\(escape(reason))"></error>
        \t\t</testcase>
        \t</testsuite>
        </testsuites>
        """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "\"": escaped += "&#34;"
            case "'": escaped += "&#39;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\n": escaped += "&#xA;"
            case "\t": escaped += "&#x9;"
            case "\r": escaped += "&#xD;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
