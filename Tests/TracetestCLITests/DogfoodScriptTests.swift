import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// `testing/dogfood/run` (the server tested by its own telemetry) fails when a span expectation is wrong: two copies
/// of dogfood steps, one expecting a span name the server does not use and one an attribute value it does not write,
/// fail, while the intact step passes on the same server.
@Suite("Dogfood script")
struct DogfoodScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A one-step suite file `name`/suite.yaml under `directory` whose step is `step`, with its ids renamed to `name`.
    func writeSuite(_ name: String, step: String, in directory: String) throws -> String {
        let renamed = step.replacing(/\n  id: [a-z0-9-]+\n/, with: "\n  id: \(name)-step\n")
        try write(renamed, to: "\(name)/step.yaml", in: directory)
        try write(
            "type: TestSuite\nspec:\n  id: \(name)\n  name: \(name)\n  steps:\n    - ./step.yaml\n",
            to: "\(name)/suite.yaml", in: directory)
        return "\(directory)/\(name)/suite.yaml"
    }

    @Test("a suite expecting a wrong span name or attribute fails; the intact one passes", .timeLimit(.minutes(3)))
    func brokenExpectationsFail() async throws {
        let steps = Self.root.appendingPathComponent("testing/dogfood/resources")
        let dataStore = try String(
            contentsOf: steps.appendingPathComponent("01_get_datastore.yaml"), encoding: .utf8)
        let version = try String(contentsOf: steps.appendingPathComponent("12_get_version.yaml"), encoding: .utf8)
        // The server names the route by its template, and the table is `data_stores`.
        let rightName = #"name="GET /api/version.{fileExtension}""#
        let rightTable = #"sql.query contains "FROM data_stores""#
        try #require(version.contains(rightName) && dataStore.contains(rightTable))
        let wrongName = version.replacingOccurrences(of: rightName, with: #"name="GET /api/version.json""#)
        let wrongAttribute = dataStore.replacingOccurrences(
            of: rightTable, with: #"sql.query contains "FROM datastores""#)

        try await withTemporaryDirectory { directory in
            let intact = try writeSuite("intact", step: dataStore, in: directory)
            let brokenName = try writeSuite("broken-name", step: wrongName, in: directory)
            let brokenAttribute = try writeSuite("broken-attribute", step: wrongAttribute, in: directory)
            let result = try await run(
                Self.root.appendingPathComponent("testing/dogfood/run").path,
                ["one", "sqlite", intact, brokenName, brokenAttribute], in: directory,
                environment: [
                    "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory, "TMPDIR": directory,
                    "TRACETEST_BINARY": ServerProcess.binary, "TRACETEST_TEST_PYTHON": Python.executable,
                ],
                timeout: .seconds(170))
            let output = result.stdout + result.stderr
            #expect(result.exitCode == 1, "\(result)")
            // The intact step passed; each broken one failed on the expectation that was changed.
            #expect(output.contains("✔ intact"), "\(result)")
            #expect(output.contains("✘ broken-name"), "\(result)")
            #expect(output.contains("✘ broken-attribute"), "\(result)")
            #expect(output.contains(#"✘ attr:tracetest.selected_spans.count = 1"#), "\(result)")
            #expect(output.contains(#"✘ attr:sql.query contains "FROM datastores""#), "\(result)")
            // The summary names exactly the two broken suites.
            let summary = output.components(separatedBy: "dogfood: FAILED:").last ?? ""
            #expect(summary.contains("broken-name/suite.yaml"), "\(result)")
            #expect(summary.contains("broken-attribute/suite.yaml"), "\(result)")
            #expect(!summary.contains("intact/suite.yaml"), "\(result)")
        }
    }
}
