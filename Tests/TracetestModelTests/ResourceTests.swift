import Foundation
import TestSupport
import Testing
import TracetestModel
import Yams

/// The document as plain values, for comparing what was sent with what comes back.
func plain(_ text: String) throws -> NSObject? {
    try Yams.load(yaml: text) as? NSObject
}

func roundTrip<Spec: ResourceSpec>(_ type: Spec.Type, _ text: String) throws -> (yaml: String, json: String) {
    let resource = try WireDecoding.decode(Resource<Spec>.self, from: text)
    let wire = try WireEncoder().encode(resource)
    return (try wire.yamlText(), wire.jsonText)
}

@Suite("Resources")
struct ResourceTests {
    @Test("the Test example round-trips unchanged, in YAML and JSON")
    func testExample() throws {
        let (yaml, json) = try roundTrip(TracetestModel.Test.self, Examples.testYAML)
        #expect(try plain(yaml) == plain(Examples.testYAML))
        #expect(try plain(json) == plain(Examples.testYAML))
    }

    @Test("the augmented Test example round-trips unchanged, fields in Tracetest's order")
    func augmentedExample() throws {
        let (_, json) = try roundTrip(TracetestModel.Test.self, Examples.augmentedTestJSON)
        #expect(json == Examples.augmentedTestJSON)
    }

    @Test("trigger kinds round-trip", arguments: Examples.triggers)
    func triggers(json: String) throws {
        let trigger = try WireDecoding.decode(Trigger.self, from: json)
        #expect(try WireEncoder().encode(trigger).jsonText == json)
    }

    @Test("a summary read back from an augmented test may leave out lastRun's fields")
    func partialSummary() throws {
        let summary = try WireDecoding.decode(Summary.self, from: #"{"runs":2,"lastRun":{}}"#)
        #expect(summary == Summary(runs: 2))
        let full = try WireDecoding.decode(
            Summary.self, from: #"{"runs":1,"lastRun":{"time":"2026-11-25T01:02:03Z","passes":3,"fails":1}}"#)
        #expect(full.lastRun.passes == 3 && full.lastRun.fails == 1 && full.lastRun.time != .zero)
    }

    @Test("kafka accepts the correctly spelt key and writes Tracetest's")
    func kafkaSpelling() throws {
        let trigger = try WireDecoding.decode(
            Trigger.self,
            from: #"{"type":"kafka","kafka":{"topic":"t","authentication":{"type":"plain","plain":{"username":"u"}}}}"#
        )
        #expect(trigger.kafka?.authentication?.plain?.username == "u")
        #expect(try WireEncoder().encode(trigger).jsonText.contains(#""authetication":{"type":"plain""#))
    }

    @Test("the suite example round-trips; a suite without steps has steps null")
    func suiteExample() throws {
        let (_, json) = try roundTrip(TestSuite.self, Examples.suiteJSON)
        #expect(json == Examples.suiteJSON)
        #expect(
            try WireEncoder().encode(TestSuite(id: "s", name: "n")).jsonText
                == #"{"id":"s","name":"n","description":"","steps":null}"#)
    }

    @Test("the other kinds' examples round-trip unchanged")
    func otherExamples() throws {
        for document in Examples.otherSpecs.components(separatedBy: "\n---\n") {
            let kind = try #require(document.split(separator: "\n").first?.replacingOccurrences(of: "type: ", with: ""))
            let yaml: String
            switch kind {
            case "VariableSet": yaml = try roundTrip(VariableSet.self, document).yaml
            case "DataStore": yaml = try roundTrip(DataStore.self, document).yaml
            case "PollingProfile": yaml = try roundTrip(PollingProfile.self, document).yaml
            case "Config": yaml = try roundTrip(Config.self, document).yaml
            case "Demo": yaml = try roundTrip(Demo.self, document).yaml
            case "Analyzer": yaml = try roundTrip(Analyzer.self, document).yaml
            case "TestRunner": yaml = try roundTrip(TestRunner.self, document).yaml
            default: Issue.record("unexpected kind \(kind)"); continue
            }
            var expected = try #require(try plain(document) as? [String: Any])
            if kind == "VariableSet", var spec = expected["spec"] as? [String: Any] {
                spec["createdAt"] = ""  // always emitted; set by the server on save
                expected["spec"] = spec
            }
            if kind == "DataStore", var spec = expected["spec"] as? [String: Any], spec["default"] == nil {
                spec["default"] = true
                spec["id"] = ""
                spec["createdAt"] = ""
                expected["spec"] = spec
            }
            #expect(try plain(yaml) == expected as NSDictionary, "\(kind)")
        }
    }

    @Test("legacy map forms of specs and outputs keep their order")
    func legacyMaps() throws {
        let json = """
            {"specs": {"span[name=\\"b\\"]": {"name": "B", "assertions": ["x = 1"]},
                       "span[name=\\"a\\"]": {"assertions": ["y = 2"]}},
             "outputs": {"OUT_B": {"selector": "span", "value": "attr:b"}, "OUT_A": {"selector": "span", "value": "attr:a"}}}
            """
        let test = try WireDecoding.decode(TracetestModel.Test.self, from: json)
        #expect(test.specs.map(\.selector) == [#"span[name="b"]"#, #"span[name="a"]"#])
        #expect(test.specs[0].name == "B")
        #expect(test.outputs.map(\.name) == ["OUT_B", "OUT_A"])
        #expect(test.outputs[1].value == "attr:a")
    }

    @Test("a selector given as {query} keeps only the query")
    func legacySelectorObject() throws {
        let test = try WireDecoding.decode(
            TracetestModel.Test.self,
            from: #"{"specs":[{"selector":{"query":"span[a=1]","parsedSelector":{}},"assertions":["b = 2"]}]}"#
        )
        #expect(test.specs == [TestSpec(selector: "span[a=1]", assertions: ["b = 2"])])
    }

    @Test(
        "legacy trigger shapes",
        arguments: [
            #"{"triggerType":"http","http":{"url":"http://x","method":"POST"}}"#,
            #"{"Type":"http","HTTP":{"url":"http://x","method":"POST"}}"#,
        ])
    func legacyTriggers(json: String) throws {
        let trigger = try WireDecoding.decode(Trigger.self, from: json)
        #expect(trigger == Trigger(type: "http", httpRequest: HTTPRequest(method: "POST", url: "http://x")))
    }

    @Test("only the auth object matching its type is kept; an http auth without type is dropped")
    func authentication() throws {
        let auth = try WireDecoding.decode(
            Authentication.self,
            from: #"{"type":"bearer","bearer":{"token":"t"},"basic":{"username":"u"}}"#
        )
        #expect(auth == Authentication(type: "bearer", bearer: .init(token: "t")))
        let request = try WireDecoding.decode(HTTPRequest.self, from: #"{"url":"u","auth":{"basic":{"username":"x"}}}"#)
        #expect(request.auth == nil)
    }

    @Test("versioning compares what users edit, not read-only fields")
    func definitionComparison() {
        let test = TracetestModel.Test(id: "a", name: "n", specs: [TestSpec(selector: "span", assertions: ["x = 1"])])
        var same = test
        same.version = 7
        same.summary = Summary(runs: 3)
        #expect(test.hasSameDefinition(as: same))
        var changed = test
        changed.specs[0].assertions.append("y = 2")
        #expect(!test.hasSameDefinition(as: changed))
    }

    @Test("validation rules")
    func validation() throws {
        #expect(throws: ValidationError("variable set name cannot be empty")) { try VariableSet(id: "v").validate() }
        #expect(throws: ValidationError("variable set value name cannot be empty")) {
            try VariableSet(id: "v", name: "n", values: [KeyValue(key: "", value: "x")]).validate()
        }
        #expect(throws: ValidationError("data store should have a name")) { try DataStore(type: "otlp").validate() }
        #expect(throws: ValidationError.self) { try DataStore(name: "x", type: "zipkin").validate() }
        #expect(throws: ValidationError.self) { try DataStore(name: "j", type: "jaeger").validate() }
        try DataStore(name: "j", type: "jaeger", jaeger: .init(endpoint: "j:16685")).validate()
        #expect(throws: ValidationError.self) {
            try PollingProfile(
                name: "p", strategy: "periodic",
                periodic: .init(retryDelay: "soon", timeout: "1m", selectorMatchRetries: 1)
            )
            .validate()
        }
        #expect(throws: ValidationError("missing periodic polling profile configuration")) {
            try PollingProfile(name: "p", strategy: "periodic").validate()
        }
        #expect(throws: ValidationError("linter name cannot be empty")) { try Analyzer().validate() }
        var analyzer = Analyzer.defaultAnalyzer
        analyzer.plugins[1].rules.append(.init(id: "span-naming", weight: 1, errorLevel: "error"))
        #expect(throws: ValidationError.self) { try analyzer.validate() }
        try Analyzer.defaultAnalyzer.validate()
    }

    @Test("wizard bodies reject unknown fields")
    func wizardStrict() throws {
        #expect(throws: WireDecodingError.self) {
            try WireDecoding.decode(Wizard.self, from: #"{"steps":[{"id":"agent","state":"completed","extra":1}]}"#)
        }
        let wizard = try WireDecoding.decode(
            Wizard.self,
            from: #"{"steps":[{"id":"agent","state":"completed","completedAt":"2024-01-01T00:00:00Z"}]}"#
        )
        #expect(wizard.steps[0].completedAt == Timestamp(rfc3339: "2024-01-01T00:00:00Z"))
    }
}

@Test("generated ids are 9 characters of [0-9A-Za-z_-] and never start with '-', so they can follow a CLI option")
func shortIDs() {
    let ids = (0..<5_000).map { _ in ShortID.make() }
    #expect(ids.allSatisfy { $0.count == 9 && !$0.hasPrefix("-") })
    #expect(ids.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") } })
    #expect(Set(ids.map { $0.first! }).count > 40, "every other character can come first")
}

@Test("a bearer token matches only itself, whatever its length; the scheme is case-insensitive; empty means none")
func bearerTokens() throws {
    #expect(BearerToken("") == nil)
    let token = try #require(BearerToken("a"))
    #expect(token.accepts(authorization: "Bearer a"))
    #expect(token.accepts(authorization: "bearer  a "))
    #expect(!token.accepts(authorization: nil))
    #expect(!token.accepts(authorization: "a"))
    #expect(!token.accepts(authorization: "Basic a"))
    #expect(!token.accepts(authorization: "Bearer "))
    #expect(!token.accepts(authorization: "Bearer b"))
    #expect(!token.matches("a" + String(repeating: "x", count: 256)), "a longer value with the token as prefix")
    #expect(!token.matches(""))
}
