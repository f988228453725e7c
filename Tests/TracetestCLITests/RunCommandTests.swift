import Foundation
import ServerTestSupport
import TestSupport
import Testing
import Yams

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `tracetest run` end to end (cli.md §5–§10, §12): the built binary against a server on loopback that triggers the
/// demo app of `Tests/Demo`, which exports its spans to the server over OTLP.
@Suite("CLI run")
struct RunCommandTests {
    /// A server, the demo app, and a configured directory; `body` gets the directory, the server's API (for checks)
    /// and the app's base URL.
    func withDemo(_ body: (String, TestAPI, String) async throws -> Void) async throws {
        try await withTestServer(.sqlite) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withDemoApp(otlpPort: otlp) { port in
                try await withTemporaryDirectory { directory in
                    try writeConfig(port: api.port, in: directory)
                    try await body(directory, api, "http://127.0.0.1:\(port)")
                }
            }
        }
    }

    static func passingTest(url: String = "${APP_URL}/pokemon/1") -> String {
        """
        type: Test
        spec:
          id: pokemon-passing
          name: Get a pokemon
          trigger:
            type: http
            httpRequest:
              method: GET
              url: \(url)
              headers:
              - key: Accept
                value: application/json
          specs:
          - name: the API answers 200
            selector: span[tracetest.span.type="http" name="GET /pokemon/:id"]
            assertions:
            - attr:http.status_code = 200
          - selector: span[tracetest.span.type="database"]
            assertions:
            - attr:db.system = "sqlite"
          - assertions:
            - attr:tracetest.span.duration < 30s
        """
    }

    static let failingTest = """
        type: Test
        spec:
          id: pokemon-failing
          name: Pokemon fails
          trigger:
            type: http
            httpRequest:
              method: GET
              url: ${APP_URL}/pokemon/1
          specs:
          - name: the API answers 201
            selector: span[name="GET /pokemon/:id"]
            assertions:
            - attr:http.status_code = 201
            - attr:http.method = "GET"
          - selector: span[name="Tracetest trigger"]
            assertions:
            - attr:tracetest.selected_spans.count = 1
            - attr:tracetest.response.status = 200
        """

    @Test("a passing test: pretty output as expected, exit 0, ${NAME} substituted but never written to the file")
    func passing() async throws {
        try await withDemo { directory, api, app in
            try write(Self.passingTest(), to: "test.yaml", in: directory)
            let result = try await tracetest(
                ["run", "test", "-f", "test.yaml"], in: directory, environment: ["APP_URL": app])
            #expect(result.exitCode == 0, "\(result)")
            #expect(normalized(result.stdout, port: api.port) == (try fixture("run-passing.txt")), "\(result)")
            #expect(try read("test.yaml", in: directory) == Self.passingTest(), "the file keeps ${APP_URL}")

            // JSON: the run link and the server's results; JUnit written as valid XML.
            let json = try await tracetest(
                ["run", "test", "-f", "test.yaml", "-o", "json", "--junit", "report.xml"], in: directory,
                environment: ["APP_URL": app])
            #expect(json.exitCode == 0, "\(json)")
            #expect(json.stdout.hasSuffix("}\n\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(
                object["testRunWebUrl"] as? String == "http://127.0.0.1:\(api.port)/test/pokemon-passing/run/2/test",
                "the web UI's page of the run")
            let results = try #require(object["results"] as? [String: Any])
            #expect(results["allPassed"] as? Bool == true)
            #expect((results["results"] as? [Any])?.count == 3)
            let xml = try read("report.xml", in: directory)
            let document = try XMLDocument(xmlString: xml)
            let root = try #require(document.rootElement())
            #expect(root.name == "testsuites")
            #expect(root.attribute(forName: "name")?.stringValue == "Get a pokemon")
            #expect(root.attribute(forName: "failures")?.stringValue == "0")
            // Named by the spec's name when it has one, else by its selector.
            #expect(
                root.elements(forName: "testsuite").map { $0.attribute(forName: "name")?.stringValue }
                    == ["the API answers 200", #"span[tracetest.span.type="database"]"#, ""])

            // YAML: the same document.
            let yaml = try await tracetest(
                ["run", "test", "--id", "pokemon-passing", "-o", "yaml"], in: directory)
            #expect(yaml.exitCode == 0, "\(yaml)")
            let yamlObject = try #require(try Yams.load(yaml: yaml.stdout) as? [String: Any])
            #expect(
                yamlObject["testRunWebUrl"] as? String == "http://127.0.0.1:\(api.port)/test/pokemon-passing/run/3/test"
            )
            #expect((yamlObject["results"] as? [String: Any])?["allPassed"] as? Bool == true)
        }
    }

    @Test(
        "a failing test: ✘ per spec, span and assertion, deep links with a UI, required gates, exit 2, JUnit failures")
    func failing() async throws {
        try await withDemo { directory, api, app in
            try write(Self.failingTest, to: "failing.yaml", in: directory)
            let result = try await tracetest(
                ["run", "test", "-f", "failing.yaml", "--junit", "junit.xml"], in: directory,
                environment: ["APP_URL": app])
            #expect(result.exitCode == 2, "\(result)")
            #expect(normalized(result.stdout, port: api.port) == (try fixture("run-failing.txt")), "\(result)")
            let document = try XMLDocument(xmlString: try read("junit.xml", in: directory))
            #expect(document.rootElement()?.attribute(forName: "failures")?.stringValue == "1")

            // With a web UI configured (`uIEndpoint`), the run and each failing assertion link to it.
            try write(
                "scheme: http\nendpoint: 127.0.0.1:\(api.port)\nuIEndpoint: https://ui.example\n", to: "config.yml",
                in: directory)
            let linked = try await tracetest(["run", "test", "--id", "pokemon-failing"], in: directory)
            #expect(linked.stdout.hasPrefix("✘ Pokemon fails (https://ui.example/test/pokemon-failing/run/2/test) - "))
            #expect(
                linked.stdout.contains(
                    " (200) (https://ui.example/test/pokemon-failing/run/2/test?selectedAssertion=0&selectedSpan="),
                "\(linked)")
            try writeConfig(port: api.port, in: directory)

            // Other required gates: the assertions still fail the run (upstream's rule), the gates are listed.
            let otherGates = try await tracetest(
                ["run", "test", "--id", "pokemon-failing", "--required-gates", "analyzer-score"], in: directory)
            #expect(otherGates.exitCode == 2, "\(otherGates)")
            #expect(otherGates.stdout.hasSuffix("\n\t✔ Required gates\n\t\t✔ analyzer-score\n\n"), "\(otherGates)")
            let badGate = try await tracetest(
                ["run", "test", "--id", "pokemon-failing", "--required-gates", "test-specs,nope"], in: directory)
            #expect(badGate.exitCode == 1)
            #expect(
                badGate.stderr.contains(
                    "[required-gates] invalid option 'nope'. valid options: analyzer-score, analyzer-rules, test-specs")
            )
        }
    }

    @Test("-o markdown: a heading per run and a table of specs and assertions, for CI job summaries")
    func markdown() async throws {
        try await withDemo { directory, api, app in
            try write(Self.failingTest, to: "failing.yaml", in: directory)
            let failing = try await tracetest(
                ["run", "test", "-f", "failing.yaml", "-o", "markdown"], in: directory, environment: ["APP_URL": app])
            #expect(failing.exitCode == 2, "\(failing)")
            #expect(normalized(failing.stdout, port: api.port) == (try fixture("run-failing.md")), "\(failing)")

            try write(Self.passingTest(url: "http://127.0.0.1:9/nothing"), to: "down.yaml", in: directory)
            let down = try await tracetest(["run", "test", "-f", "down.yaml", "-o", "markdown"], in: directory)
            #expect(down.exitCode == 2, "\(down)")
            #expect(down.stdout.hasPrefix("## ✘ [Get a pokemon](http://127.0.0.1:\(api.port)/test/"), "\(down)")
            #expect(down.stdout.contains(", state TRIGGER_FAILED\n\n**Reason:** "), "\(down)")

            let list = try await tracetest(["list", "test", "-o", "markdown"], in: directory)
            #expect(list.stdout.hasPrefix("| ID | NAME | VERSION |"), "\(list)")
            #expect(list.stdout.contains("\n| pokemon-failing | Pokemon fails | 1 | http |"), "\(list)")
        }
    }

    @Test("a trace that never comes: the reason names the trace and what to check, exit 2")
    func traceTimeout() async throws {
        try await withDemo { directory, api, _ in
            try write(
                """
                type: PollingProfile
                spec:
                  name: quick
                  strategy: periodic
                  periodic: {timeout: 2s, retryDelay: 500ms}
                """, to: "profile.yaml", in: directory)
            #expect(
                try await tracetest(["apply", "pollingprofile", "-f", "profile.yaml"], in: directory).exitCode == 0)
            // The server's own API as the application: it answers, and exports no spans.
            try write(
                Self.passingTest(url: "http://127.0.0.1:\(api.port)/api/tests"), to: "silent.yaml", in: directory)
            let result = try await tracetest(["run", "test", "-f", "silent.yaml"], in: directory)
            #expect(result.exitCode == 2, "\(result)")
            #expect(
                result.stdout.contains(
                    "/run/1/test)\n\tReason: timeout: no span arrived within 2s, of trace "), "\(result)")
            #expect(result.stdout.contains("check that the application exports to this server's OTLP receiver"))
        }
    }

    @Test("a run that fails before it has results still writes --junit (the run as an error) and exits 2")
    func junitOfFailedRun() async throws {
        try await withDemo { directory, _, _ in
            try write(
                """
                type: Test
                spec:
                  name: Unreachable
                  trigger:
                    type: http
                    httpRequest: {method: GET, url: "http://127.0.0.1:1/"}
                """, to: "unreachable.yaml", in: directory)
            let result = try await tracetest(
                ["run", "test", "-f", "unreachable.yaml", "--junit", "junit.xml"], in: directory)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stdout.contains("could not connect to http://127.0.0.1:1/"), "the reason: \(result.stdout)")
            let junit = try read("junit.xml", in: directory)
            #expect(junit.contains(#"<testsuites name="Unreachable" tests="1" failures="0" errors="1""#), "\(junit)")
            #expect(junit.contains("could not connect to http://127.0.0.1:1/"), "\(junit)")
            // JSON carries the state and the reason.
            let json = try await tracetest(["run", "test", "-f", "unreachable.yaml", "-o", "json"], in: directory)
            #expect(json.exitCode == 2, "\(json)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["state"] as? String == "TRIGGER_FAILED")
            #expect((object["lastErrorState"] as? String)?.contains("could not connect") == true, "\(object)")
        }
    }

    @Test("a spec whose selector matches no span says so in pretty output")
    func noMatchingSpan() async throws {
        try await withDemo { directory, _, app in
            try write(
                """
                type: Test
                spec:
                  name: Nothing matches
                  trigger:
                    type: http
                    httpRequest: {method: GET, url: "${APP_URL}/pokemon/1"}
                  specs:
                  - selector: span[name="no such span"]
                    assertions:
                    - attr:http.status_code = 200
                """, to: "nothing.yaml", in: directory)
            let result = try await tracetest(
                ["run", "test", "-f", "nothing.yaml"], in: directory, environment: ["APP_URL": app])
            #expect(result.exitCode == 2, "\(result)")
            #expect(
                result.stdout.contains(
                    "✘ attr:http.status_code = 200 (error: resolution error: there are no matching spans to retrieve the attribute"
                ),
                "\(result.stdout)")
        }
    }

    static let importStep = """
        type: Test
        spec:
          name: Import a pokemon
          trigger:
            type: http
            httpRequest:
              method: POST
              url: ${var:APP_URL}/pokemon
              body: '{"name": "${var:POKEMON_NAME}"}'
              headers:
              - key: Content-Type
                value: application/json
          specs:
          - name: the pokemon is created
            selector: span[name="POST /pokemon"]
            assertions:
            - attr:http.status_code = 201
          outputs:
          - name: POKEMON_ID
            selector: span[name="Tracetest trigger"]
            value: attr:tracetest.response.body | json_path '$.id'
        """

    static let getStep = """
        type: Test
        spec:
          name: Get the imported pokemon
          trigger:
            type: http
            httpRequest:
              method: GET
              url: ${var:APP_URL}/pokemon/${var:POKEMON_ID}
          specs:
          - name: it is found
            selector: span[name="Tracetest trigger"]
            assertions:
            - attr:tracetest.response.status = 200
            - attr:tracetest.response.body | json_path '$.name' = var:POKEMON_NAME
        """

    static let suite = """
        type: TestSuite
        spec:
          id: pokemon-suite
          name: Pokemon suite
          steps:
          - ./steps/import.yaml
          - ./steps/get.yaml
        """

    @Test("a suite with relative step paths and a vars file: pretty, JSON, ids written into the step files")
    func suite() async throws {
        try await withDemo { directory, api, app in
            try write(Self.importStep, to: "suite/steps/import.yaml", in: directory)
            try write(Self.getStep, to: "suite/steps/get.yaml", in: directory)
            try write(Self.suite, to: "suite/suite.yaml", in: directory)
            try write(
                """
                type: VariableSet
                spec:
                  id: pokemon-vars
                  name: pokemon-vars
                  values:
                  - key: APP_URL
                    value: \(app)
                  - key: POKEMON_NAME
                    value: snorlax
                """, to: "vars.yaml", in: directory)

            let result = try await tracetest(
                ["run", "testsuite", "-f", "suite/suite.yaml", "--vars", "vars.yaml"], in: directory)
            #expect(result.exitCode == 0, "\(result)")
            let importID = try #require(
                try read("suite/steps/import.yaml", in: directory).firstMatch(of: /\n  id: (.+)\n/)?.output.1)
            let getID = try #require(
                try read("suite/steps/get.yaml", in: directory).firstMatch(of: /\n  id: (.+)\n/)?.output.1)
            #expect(try read("suite/suite.yaml", in: directory) == Self.suite, "the suite keeps its paths")
            let output = normalized(result.stdout, port: api.port)
                .replacingOccurrences(of: "/test/\(importID)/", with: "/test/<import>/")
                .replacingOccurrences(of: "/test/\(getID)/", with: "/test/<get>/")
                .replacing(/POKEMON_ID = [0-9]+\n/, with: "POKEMON_ID = <id>\n")
            #expect(output == (try fixture("run-suite.txt")), "\(result)")

            // The variable set by id; JSON output lists the steps.
            let json = try await tracetest(
                ["run", "testsuite", "--id", "pokemon-suite", "--vars", "pokemon-vars", "-o", "json"], in: directory)
            #expect(json.exitCode == 0, "\(json)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect((object["testRunWebUrl"] as? String)?.hasPrefix("http://127.0.0.1:\(api.port)/testsuite/") == true)
            let steps = try #require(object["steps"] as? [[String: Any]])
            #expect(steps.map { $0["name"] as? String } == ["Import a pokemon", "Get the imported pokemon"])
            #expect(steps.allSatisfy { ($0["results"] as? [String: Any])?["allPassed"] as? Bool == true })

            // JUnit of a suite run: each step's specs, named by test and spec, with the selector as a property.
            let junit = try await tracetest(
                ["run", "testsuite", "-f", "suite/suite.yaml", "--vars", "pokemon-vars", "--junit", "j.xml"],
                in: directory)
            #expect(junit.exitCode == 0, "\(junit)")
            let report = try XMLDocument(xmlString: try read("j.xml", in: directory))
            let root = try #require(report.rootElement())
            #expect(root.attribute(forName: "name")?.stringValue == "Pokemon suite")
            #expect(root.attribute(forName: "tests")?.stringValue == "3")
            #expect(root.attribute(forName: "failures")?.stringValue == "0")
            let suites = root.elements(forName: "testsuite")
            #expect(
                suites.map { $0.attribute(forName: "name")?.stringValue }
                    == ["Import a pokemon: the pokemon is created", "Get the imported pokemon: it is found"])
            let selector = suites.first?.elements(forName: "properties").first?.elements(forName: "property").first
            #expect(selector?.attribute(forName: "value")?.stringValue == #"span[name="POST /pokemon"]"#)
            #expect(suites.last?.elements(forName: "testcase").count == 2)

            // A variable set id that does not exist.
            let unknown = try await tracetest(
                ["run", "testsuite", "--id", "pokemon-suite", "--vars", "nope"], in: directory)
            #expect(unknown.exitCode == 1)
            #expect(unknown.stderr.contains("variable set 'nope' not found"))
        }
    }

    @Test("missing variables: a clear error without a terminal, a prompt on one, --vars as a file or an id")
    func missingVariables() async throws {
        try await withDemo { directory, api, app in
            let test = """
                type: Test
                spec:
                  id: by-id
                  name: Pokemon by id
                  trigger:
                    type: http
                    httpRequest:
                      method: GET
                      url: \(app)/pokemon/${var:POKEMON_ID}
                  specs:
                  - selector: span[name="Tracetest trigger"]
                    assertions:
                    - attr:tracetest.response.status = 200
                """
            try write(test, to: "test.yaml", in: directory)
            let noTerminal = try await tracetest(["run", "test", "-f", "test.yaml"], in: directory)
            #expect(noTerminal.exitCode == 1, "\(noTerminal)")
            #expect(noTerminal.stderr.contains("needs values for variables that are not set: POKEMON_ID"))
            #expect(noTerminal.stderr.contains("--vars"))

            let prompted = try await tracetestOnTerminal(["run", "test", "--id", "by-id"], in: directory, input: "2\n")
            #expect(prompted.exitCode == 0, "\(prompted)")
            #expect(prompted.stdout.contains("Some variables are required by one or more tests"))
            #expect(prompted.stdout.contains("POKEMON_ID"))
            #expect(prompted.stdout.contains("✔ Pokemon by id"))
            let run = try await api.get("/api/tests/by-id/run/1").object()
            let values = (run["variableSet"] as? [String: Any])?["values"] as? [[String: String]]
            #expect(values == [["key": "POKEMON_ID", "value": "2"]])

            try write(
                "type: VariableSet\nspec:\n  name: ids\n  values:\n  - key: POKEMON_ID\n    value: \"3\"\n",
                to: "ids.yaml", in: directory)
            let withFile = try await tracetest(["run", "test", "-f", "test.yaml", "--vars", "ids.yaml"], in: directory)
            #expect(withFile.exitCode == 0, "\(withFile)")
            let setID = try #require(try read("ids.yaml", in: directory).firstMatch(of: /\n  id: (.+)\n/)?.output.1)
            let withID = try await tracetest(
                ["run", "test", "--id", "by-id", "--environment", String(setID)], in: directory)
            #expect(withID.exitCode == 0, "\(withID)")
            #expect(withID.stderr.contains("--environment is deprecated"))
        }
    }

    @Test("exit codes: 3 for a missing file, 2 for a failed trigger, 1 for bad flags, 0 with --skip-result-wait")
    func exitCodes() async throws {
        try await withDemo { directory, api, app in
            let missing = try await tracetest(["run", "test", "-f", "nowhere.yaml"], in: directory)
            #expect(missing.exitCode == 3)
            #expect(missing.stderr.contains("Definition file does not exist: nowhere.yaml"))
            #expect(missing.stderr.contains("Invalid definition file found, stopping execution"))

            try write(Self.passingTest(url: "http://127.0.0.1:9/nothing"), to: "down.yaml", in: directory)
            let down = try await tracetest(["run", "test", "-f", "down.yaml"], in: directory)
            #expect(down.exitCode == 2, "\(down)")
            #expect(
                down.stdout.hasPrefix("✘ Get a pokemon (http://127.0.0.1:\(api.port)/test/")
                    && down.stdout.contains("/test)\n\tReason: "),
                "\(down)")

            for (arguments, message) in [
                (["run", "test"], "[resource] you must specify at least one definition file or resource ID"),
                (
                    ["run", "--id", "x"],
                    "[resource] you must specify a resource name (test|testsuite) when providing a resource IDs"
                ),
                (
                    ["run", "test", "-f", "down.yaml", "--id", "x"],
                    "[resource] you cannot specify both a definition file and resource ID"
                ),
                (
                    ["run", "test", "--id", "x", "--junit", "j.xml", "-W"],
                    "[junit] --junit option is incompatible with --skip-result-wait option"
                ),
            ] {
                let result = try await tracetest(arguments, in: directory)
                #expect(result.exitCode == 1, "\(arguments): \(result)")
                #expect(result.stderr.contains("The following errors occurred when validating the flags:"))
                #expect(result.stderr.contains(message), "\(arguments): \(result)")
            }

            try write(Self.passingTest(url: app + "/pokemon/1"), to: "ok.yaml", in: directory)
            let skip = try await tracetest(["run", "test", "-f", "ok.yaml", "--skip-result-wait"], in: directory)
            #expect(skip.exitCode == 0, "\(skip)")
            #expect(
                normalized(skip.stdout, port: api.port)
                    .replacing(/\/test\/[^\/]+\/run\/\d+/, with: "/test/<id>/run/<n>")
                    == "✔ Get a pokemon (http://<server>/test/<id>/run/<n>/test) - trace id: <trace>\n\n")

            let unknownTest = try await tracetest(["run", "test", "--id", "nope"], in: directory)
            #expect(unknownTest.exitCode == 1)
            #expect(unknownTest.stderr.contains("test 'nope' not found"))
        }
    }

    @Test("a stopped run ends the wait with exit 2")
    func stopped() async throws {
        try await withDemo { directory, api, app in
            try write(Self.passingTest(url: app + "/slow?ms=20000"), to: "slow.yaml", in: directory)
            async let result = tracetest(["run", "test", "-f", "slow.yaml"], in: directory)
            // Wait until the CLI has started the run and the trigger is under way, then stop it.
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let response = try await api.get("/api/tests/pokemon-passing/run/1")
                if response.status == 200,
                    ["EXECUTING", "AWAITING_TRACE"].contains(try response.object()["state"] as? String ?? "")
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let stop = try await api.post("/api/tests/pokemon-passing/run/1/stop", "")
            #expect(stop.status == 200)
            let ended = try await result
            #expect(ended.exitCode == 2, "\(ended)")
            #expect(ended.stdout.contains("✘ Get a pokemon"), "\(ended)")
            #expect(ended.stdout.contains("Reason:"), "\(ended)")
        }
    }
}
