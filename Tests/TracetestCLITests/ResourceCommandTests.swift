import Foundation
import ServerTestSupport
import TestSupport
import Testing
import Yams

/// `apply`, `get`, `list`, `delete` and `export` for every resource kind (cli.md §1.1, §4), with the built binary
/// against a server on loopback.
@Suite("CLI resource commands")
struct ResourceCommandTests {
    /// A configured directory and a server; `body` gets the directory and the port.
    func withCLI(_ body: (String, Int) async throws -> Void) async throws {
        try await withTestServer(.sqlite) { api in
            try await withTemporaryDirectory { directory in
                try writeConfig(port: api.port, in: directory)
                try await body(directory, api.port)
            }
        }
    }

    static let variableSet = """
        type: VariableSet
        spec:
          id: pokeapi-env
          name: pokeapi-env
          description: Pokemon API
          values:
          - key: POKEMON_NAME
            value: snorlax
          - key: POKEMON_ID
            value: "143"
        """

    @Test("variable sets: apply, get, list and delete in YAML, JSON and pretty")
    func variableSets() async throws {
        try await withCLI { directory, _ in
            try write(Self.variableSet, to: "vars.yaml", in: directory)
            try write(
                "type: Environment\nspec:\n  id: another\n  name: another\n  values:\n  - key: A\n    value: b\n",
                to: "legacy.yaml", in: directory)

            let applied = try await tracetest(["apply", "variableset", "-f", "vars.yaml"], in: directory)
            #expect(applied.exitCode == 0, "\(applied)")
            let appliedYAML = try #require(try Yams.load(yaml: applied.stdout) as? [String: Any])
            #expect(appliedYAML["type"] as? String == "VariableSet")
            #expect((appliedYAML["spec"] as? [String: Any])?["id"] as? String == "pokeapi-env")

            // The deprecated `environment` resource and `type: Environment` still work, with a warning.
            let legacy = try await tracetest(["apply", "environment", "-f", "legacy.yaml"], in: directory)
            #expect(legacy.exitCode == 0, "\(legacy)")
            #expect(legacy.stderr.contains("deprecated"))

            let json = try await tracetest(["get", "variableset", "--id", "pokeapi-env", "-o", "json"], in: directory)
            #expect(json.exitCode == 0, "\(json)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let spec = try #require(object["spec"] as? [String: Any])
            let values = try #require(spec["values"] as? [[String: String]])
            #expect(values == [["key": "POKEMON_NAME", "value": "snorlax"], ["key": "POKEMON_ID", "value": "143"]])

            let pretty = try await tracetest(
                ["list", "variableset", "--sortBy", "name", "--sortDirection", "asc"], in: directory)
            #expect(pretty.exitCode == 0, "\(pretty)")
            #expect(pretty.stdout == (try fixture("list-variablesets.txt")))

            let yamlList = try await tracetest(
                [
                    "list", "variableset", "-o", "yaml", "--take", "1", "--skip", "1", "--sortBy", "name",
                    "--sortDirection", "asc",
                ], in: directory)
            #expect(yamlList.exitCode == 0, "\(yamlList)")
            let documents = try Array(Yams.load_all(yaml: yamlList.stdout))
            #expect(documents.count == 1)
            #expect(((documents.first as? [String: Any])?["spec"] as? [String: Any])?["id"] as? String == "pokeapi-env")

            let jsonList = try await tracetest(["list", "variableset", "-o", "json"], in: directory)
            let list = try #require(
                try JSONSerialization.jsonObject(with: Data(jsonList.stdout.utf8)) as? [String: Any])
            #expect(list["count"] as? Int == 2)
            #expect((list["items"] as? [Any])?.count == 2)

            let all = try await tracetest(["list", "variableset", "--all", "--take", "1", "-o", "json"], in: directory)
            let allList = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
            #expect((allList["items"] as? [Any])?.count == 2, "\(all)")

            let badSort = try await tracetest(["list", "variableset", "--sortBy", "id"], in: directory)
            #expect(badSort.exitCode == 1)
            #expect(badSort.stderr.contains("invalid sort field: id"))

            let deleted = try await tracetest(["delete", "variableset", "--id", "pokeapi-env"], in: directory)
            #expect(deleted.exitCode == 0, "\(deleted)")
            #expect(deleted.stdout == "✔ Variableset successfully deleted\n")

            let missingGet = try await tracetest(["get", "variableset", "--id", "pokeapi-env"], in: directory)
            #expect(missingGet.exitCode == 0)
            #expect(missingGet.stdout == "Resource variableset with ID pokeapi-env not found\n")

            let missingDelete = try await tracetest(["delete", "variableset", "--id", "pokeapi-env"], in: directory)
            #expect(missingDelete.exitCode == 1)
            #expect(missingDelete.stderr.contains("Resource variableset with ID pokeapi-env not found"))
        }
    }

    @Test("an id that starts with a dash (generated ids can) is read as the value of --id")
    func dashedID() async throws {
        try await withCLI { directory, _ in
            try write(
                "type: VariableSet\nspec:\n  id: -dashed\n  name: dashed\n  values:\n  - key: A\n    value: b\n",
                to: "vars.yaml", in: directory)
            #expect(try await tracetest(["apply", "variableset", "-f", "vars.yaml"], in: directory).exitCode == 0)
            let got = try await tracetest(["get", "variableset", "--id", "-dashed", "-o", "json"], in: directory)
            #expect(got.exitCode == 0 && got.stdout.contains("-dashed"), "\(got)")
            let deleted = try await tracetest(["delete", "variableset", "--id", "-dashed"], in: directory)
            #expect(deleted.exitCode == 0, "\(deleted)")
        }
    }

    /// One data store of each kind with a query API, as their users write them; secrets are shown masked.
    static let dataStores: [(type: String, section: String)] = [
        (
            "jaeger",
            "jaeger:\n    endpoint: jaeger:16685\n    tls:\n      insecure: true\n    headers:\n      x-team: obs"
        ),
        ("tempo", "tempo:\n    type: grpc\n    grpc:\n      endpoint: tempo:9095\n      tls:\n        insecure: true"),
        (
            "tempo",
            "tempo:\n    type: http\n    http:\n      url: http://tempo:3200\n      headers:\n        X-Scope-OrgID: team-a"
        ),
        (
            "opensearch",
            "opensearch:\n    addresses:\n    - http://opensearch:9200\n    index: traces\n    username: admin\n    password: \"********\""
        ),
        (
            "elasticapm",
            "elasticapm:\n    addresses:\n    - https://es:9200\n    index: traces-apm-default\n    username: elastic\n    password: \"********\"\n    insecureSkipVerify: true"
        ),
        ("signalfx", "signalfx:\n    realm: us1\n    token: \"********\""),
        (
            "awsxray",
            "awsxray:\n    region: us-west-2\n    accessKeyId: AKIAEXAMPLE\n    secretAccessKey: \"********\"\n    useDefaultAuth: false"
        ),
        (
            "azureappinsights",
            "azureappinsights:\n    connectionType: direct\n    resourceArmId: /subscriptions/x/resourceGroups/y/providers/microsoft.insights/components/z\n    accessToken: \"********\""
        ),
        (
            "sumologic",
            "sumologic:\n    url: https://api.sumologic.com/api/\n    accessID: abc\n    accessKey: \"********\""
        ),
    ]

    @Test("apply datastore -f of each store type round-trips through get datastore (secrets masked)")
    func dataStoreRoundTrips() async throws {
        try await withCLI { directory, _ in
            for (index, store) in Self.dataStores.enumerated() {
                // Secrets are applied in clear text and come back masked.
                let applied = store.section.replacingOccurrences(of: "********", with: "s3cret-\(index)")
                try write(
                    "type: DataStore\nspec:\n  id: current\n  name: \(store.type) store\n  type: \(store.type)\n  default: true\n  \(applied)\n",
                    to: "store.yaml", in: directory)
                let apply = try await tracetest(["apply", "datastore", "-f", "store.yaml"], in: directory)
                #expect(apply.exitCode == 0, "\(store.type): \(apply)")
                #expect(!apply.stdout.contains("s3cret-\(index)"))
                let got = try await tracetest(["get", "datastore", "--id", "current"], in: directory)
                #expect(got.exitCode == 0, "\(got)")
                let expected = try #require(
                    try Yams.load(yaml: "type: DataStore\nspec:\n  \(store.section)\n") as? [String: Any])
                let spec = try #require((try Yams.load(yaml: got.stdout) as? [String: Any])?["spec"] as? [String: Any])
                #expect(spec["type"] as? String == store.type)
                #expect(spec["name"] as? String == "\(store.type) store")
                let section = try #require((expected["spec"] as? [String: Any])?.first)
                #expect(
                    NSDictionary(dictionary: spec[section.key] as? [String: Any] ?? [:])
                        .isEqual(to: section.value as? [String: Any] ?? [:]),
                    "\(store.type): \(got.stdout)")
            }
        }
    }

    @Test("singletons: get, list, apply and the 405 on delete; datastore and testrunner tables")
    func singletons() async throws {
        try await withCLI { directory, _ in
            for resource in ["config", "datastore", "pollingprofile", "analyzer", "testrunner"] {
                let got = try await tracetest(["get", resource, "--id", "current"], in: directory)
                #expect(got.exitCode == 0, "\(resource): \(got)")
                #expect(got.stdout.contains("id: current"), "\(resource): \(got)")
                let listed = try await tracetest(["list", resource], in: directory)
                #expect(listed.exitCode == 0, "\(resource): \(listed)")
                #expect(listed.stdout.split(separator: "\n").count >= 3, "\(resource): \(listed)")
            }
            let store = try await tracetest(["list", "datastore"], in: directory)
            #expect(store.stdout == (try fixture("list-datastore.txt")))

            try write(
                "type: TestRunner\nspec:\n  name: gates\n  requiredGates:\n  - test-specs\n  - analyzer-rules\n",
                to: "runner.yaml", in: directory)
            let runner = try await tracetest(
                ["apply", "testrunner", "-f", "runner.yaml", "-o", "pretty"], in: directory)
            #expect(runner.exitCode == 0, "\(runner)")
            #expect(runner.stdout == (try fixture("apply-testrunner.txt")))

            let deleteStore = try await tracetest(["delete", "datastore", "--id", "current"], in: directory)
            #expect(deleteStore.exitCode == 1)
            #expect(deleteStore.stderr.contains("resource DataStore does not support the action"))

            try write("type: Config\nspec:\n  analyticsEnabled: false\n", to: "config-resource.yaml", in: directory)
            let wrongKind = try await tracetest(["apply", "test", "-f", "config-resource.yaml"], in: directory)
            #expect(wrongKind.exitCode == 1)
            #expect(wrongKind.stderr.contains("cannot apply Config to Test resource"))
            let config = try await tracetest(["apply", "config", "-f", "config-resource.yaml"], in: directory)
            #expect(config.exitCode == 0, "\(config)")
            #expect(config.stdout.contains("analyticsEnabled: false"))
        }
    }

    @Test("demos: apply, list, export and delete")
    func demos() async throws {
        try await withCLI { directory, _ in
            try write(
                """
                type: Demo
                spec:
                  id: pokeshop
                  name: pokeshop
                  type: pokeshop
                  enabled: true
                  pokeshop:
                    httpEndpoint: http://demo-api:8081
                """, to: "demo.yaml", in: directory)
            #expect(try await tracetest(["apply", "demo", "-f", "demo.yaml"], in: directory).exitCode == 0)
            let listed = try await tracetest(["list", "demo"], in: directory)
            #expect(listed.stdout == (try fixture("list-demos.txt")), "\(listed)")

            let exported = try await tracetest(
                ["export", "demo", "--id", "pokeshop", "-f", "out/demo.yaml"], in: directory)
            #expect(exported.exitCode == 1, "the directory out/ does not exist: \(exported)")
            let exportedHere = try await tracetest(
                ["export", "demo", "--id", "pokeshop", "--file", "exported.yaml"], in: directory)
            #expect(exportedHere.exitCode == 0, "\(exportedHere)")
            #expect(exportedHere.stdout == "✔  Definition exported successfully for resource type: demo\n")
            let file = try #require(try Yams.load(yaml: try read("exported.yaml", in: directory)) as? [String: Any])
            #expect((file["spec"] as? [String: Any])?["name"] as? String == "pokeshop")

            let deleted = try await tracetest(["delete", "demo", "--id", "pokeshop"], in: directory)
            #expect(deleted.stdout == "✔ Demo successfully deleted\n")
        }
    }

    @Test("tests and suites: the id is written into files without one, suite steps keep their relative paths")
    func testsAndSuites() async throws {
        try await withCLI { directory, port in
            let test = """
                type: Test
                spec:
                  # a comment that must survive
                  name: Import
                  trigger:
                    type: http
                    httpRequest:
                      method: POST
                      url: http://example.com/import
                      body: ./body.json
                  specs:
                  - selector: span[name = "POST /import"]
                    assertions:
                    - attr:http.status_code = 201
                """
            try write(test, to: "suite/steps/import.yaml", in: directory)
            try write(#"{"id": 52}"#, to: "suite/steps/body.json", in: directory)
            try write(
                "type: Test\nspec:\n  id: list-test\n  name: List\n  trigger:\n    type: traceid\n    traceid:\n      id: ${var:TRACE_ID}\n",
                to: "suite/list.yaml", in: directory)
            let suite = """
                type: Transaction
                spec:
                  name: Pokemon suite
                  steps:
                  - ./steps/import.yaml
                  - ./list.yaml
                """
            try write(suite, to: "suite/suite.yaml", in: directory)

            let applied = try await tracetest(
                ["apply", "testsuite", "-f", "suite/suite.yaml", "-o", "json"], in: directory)
            #expect(applied.exitCode == 0, "\(applied)")
            #expect(applied.stderr.contains("deprecated"))
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any])
            #expect(object["type"] as? String == "TestSuite")
            let spec = try #require(object["spec"] as? [String: Any])
            let suiteID = try #require(spec["id"] as? String)
            let steps = try #require(spec["steps"] as? [String])
            #expect(steps.count == 2)
            #expect(steps[1] == "list-test")

            // The step file got its id as the first key of spec, with its indentation; nothing else changed.
            let importText = try read("suite/steps/import.yaml", in: directory)
            #expect(importText == test.replacingOccurrences(of: "spec:\n", with: "spec:\n  id: \(steps[0])\n"))
            // The suite file keeps its relative paths and got its own id.
            #expect(
                try read("suite/suite.yaml", in: directory)
                    == suite.replacingOccurrences(of: "spec:\n", with: "spec:\n  id: \(suiteID)\n"))
            // A file that had an id is untouched.
            #expect(try read("suite/list.yaml", in: directory).hasPrefix("type: Test\nspec:\n  id: list-test\n"))

            // The body file was sent in place of its path.
            let got = try await tracetest(["get", "test", "--id", steps[0]], in: directory)
            #expect(got.stdout.contains(#"body: '{"id": 52}'"#), "\(got)")

            // Applying again updates the same resources (no new ids).
            let again = try await tracetest(["apply", "testsuite", "-f", "suite/suite.yaml"], in: directory)
            #expect(again.exitCode == 0, "\(again)")
            #expect(try read("suite/steps/import.yaml", in: directory) == importText)

            let tests = try await tracetest(
                ["list", "test", "--sortBy", "name", "--sortDirection", "asc"], in: directory)
            let expected = try fixture("list-tests.txt")
                .replacingOccurrences(of: "<server>", with: "127.0.0.1:\(port)")
                .replacingOccurrences(of: "<import-id>", with: steps[0])
            #expect(tests.stdout == Table.aligned(expected), "\(tests)")

            let suites = try await tracetest(["list", "testsuite"], in: directory)
            #expect(suites.stdout.contains("Pokemon suite"))
            #expect(suites.stdout.contains(" 2 "), "two steps: \(suites)")

            let deleted = try await tracetest(["delete", "transaction", "--id", suiteID], in: directory)
            #expect(deleted.stdout == "✔ Transaction successfully deleted\n", "\(deleted)")
        }
    }

    @Test("resource names: did you mean, missing name, cloud-only resources, missing id and file")
    func resourceNames() async throws {
        try await withCLI { directory, _ in
            let typo = try await tracetest(["list", "tset"], in: directory)
            #expect(typo.exitCode == 1)
            #expect(typo.stderr.contains("resource \"tset\" not found. Did you mean this?\n\ttest"))

            let missing = try await tracetest(["list"], in: directory)
            #expect(missing.exitCode == 1)
            #expect(missing.stderr.contains("resource name must be provided. Available resources: analyzer, config"))

            let cloud = try await tracetest(["list", "monitor"], in: directory)
            #expect(cloud.exitCode == 1)
            #expect(cloud.stderr.contains("Tracetest Cloud"))

            let noID = try await tracetest(["get", "test"], in: directory)
            #expect(noID.exitCode == 1)
            #expect(noID.stderr.contains("get needs the resource's id"))

            let noFile = try await tracetest(["apply", "test", "-f", "nothing.yaml"], in: directory)
            #expect(noFile.exitCode == 3)
            #expect(noFile.stderr.contains("nothing.yaml does not exist"))

            // The server's positioned message, caret line included, not the YAML around it.
            try write(
                "type: Test\nspec:\n  name: bad\n  specs:\n  - selector: span[name=\"x\"\n    assertions: [\"attr:a = 1\"]\n",
                to: "bad-selector.yaml", in: directory)
            let rejected = try await tracetest(["apply", "test", "-f", "bad-selector.yaml"], in: directory)
            #expect(rejected.exitCode == 1)
            #expect(
                rejected.stderr.contains("bad-selector.yaml: an error occurred while validating"), "\(rejected.stderr)")
            #expect(rejected.stderr.contains("specs[0].selector: could not create selector"), "\(rejected.stderr)")
            #expect(!rejected.stderr.contains("|-"), "\(rejected.stderr)")

            // A misspelt key, at its place in the user's file (flow style, which the CLI re-serialises).
            try write(
                "type: Test\nspec:\n  name: typo\n  trigger: {type: http, httpRequest: {method: GET, url: \"http://x/\"}}\n"
                    + "  spec:\n  - selector: span[]\n", to: "typo.yaml", in: directory)
            let key = try await tracetest(["apply", "test", "-f", "typo.yaml"], in: directory)
            #expect(key.exitCode == 1)
            #expect(
                key.stderr.contains("typo.yaml:5:3: spec.spec: unknown key; did you mean `specs`?"), "\(key.stderr)")

            try write("spec:\n  name: x\n", to: "untyped.yaml", in: directory)
            let untyped = try await tracetest(["apply", "test", "-f", "untyped.yaml"], in: directory)
            #expect(untyped.exitCode == 1)
            #expect(untyped.stderr.contains("cannot find type in yaml"))
        }
    }
}

extension Table {
    /// Fixture tables whose cells were placeholders: re-align the columns after substitution.
    static func aligned(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count >= 2 else { return text }
        let cells = lines.enumerated().filter { $0.offset != 1 }.map { line in
            line.element.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        return Table(headers: cells[0], rows: Array(cells.dropFirst())).text
    }
}

/// The table layout of the CLI, re-implemented for the fixtures whose cells depend on the run.
struct Table {
    var headers: [String]
    var rows: [[String]]

    var text: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map {
                " " + $0.element + String(repeating: " ", count: widths[$0.offset] - $0.element.count) + " "
            }
            .joined()
        }
        let divider = widths.enumerated().map {
            String(repeating: "-", count: $0.offset == widths.count - 1 ? $0.element + 2 : $0.element + 1)
        }.joined(separator: " ")
        return ([render(headers), divider] + rows.map(render)).joined(separator: "\n") + "\n"
    }
}
