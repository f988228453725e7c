import Testing
import TracetestModel

@testable import TracetestLanguage

// `go_quirks_do_not_copy`: for each entry, the behaviour DECISIONS.md (or, where it is silent, COMPATIBILITY) chose.
@Suite struct DecidedQuirkTests {
    enum Decision {
        case spans([String])
        case assertion(passes: Bool, observed: String?)
        case value(String)
        case spec(allPassed: Bool)
    }

    static let decisions: [String: Decision] = [
        // OR de-duplicates, keeping first-seen order.
        #"span[service.name="Pokeshop"], span[service.name contains "Pokeshop"]"#: .spans([
            "0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004",
        ]),
        // A pseudo-class applies to the spans of its own step.
        #"span[service.name="Pokeshop-worker"] span[service.name="Pokeshop-worker"]:first"#: .spans([
            "0000000000000004"
        ]),
        #"span[tracetest.span.type="http"]:first span[tracetest.span.type="db"]"#: .spans([
            "0000000000000002", "0000000000000004",
        ]),
        // Kept: a missing attribute reads as "".
        #"span[db.statement=""]"#: .spans(["0000000000000001", "0000000000000003"]),
        // Numbers by value; false is false.
        "span[x=0.5]": .spans(["00000000000000b1", "00000000000000b2"]),
        "span[flag=false]": .spans(["00000000000000b2"]),
        // Precedence.
        "2 + 3 * 4 = 20": .assertion(passes: false, observed: "14"),
        // Exact durations.
        "61s = 1m": .assertion(passes: false, observed: "61s"),
        "1250ms = 1.2s": .assertion(passes: false, observed: "1.25s"),
        "attr:tracetest.span.duration < 1.25s": .assertion(passes: true, observed: "1.24s"),
        "attr:tracetest.span.duration = 2ms": .assertion(passes: false, observed: "2.5ms"),
        "attr:tracetest.span.duration < 1s": .assertion(passes: true, observed: "999.999999ms"),
        // Text that is not a duration is not 0; text with a unit is that duration.
        "attr:d = 0ns": .assertion(passes: false, observed: "abc"),
        "attr:d = 25ms": .assertion(passes: true, observed: "25ms"),
        // An empty attribute exists.
        #"attr:x = """#: .assertion(passes: true, observed: ""),
        // not-contains negates contains.
        "[12] not-contains 1": .assertion(passes: true, observed: "[12]"),
        // `null` is text.
        #"'null' | type = "json""#: .assertion(passes: false, observed: "string"),
        // json_path renders JSON.
        "'{\"a\": {\"b\": 1}}' | json_path '$.a' = 'map[b:1]'": .assertion(passes: false, observed: #"{"b":1}"#),
        "'{\"a\": [1,2]}' | json_path '$.a' = '[1 2]'": .assertion(passes: false, observed: "[1,2]"),
        // Every key is checked.
        #"'{"a": {"x": 1}, "b": 2}' contains '{"a": {"x": 1}, "b": 3}'"#: .assertion(passes: false, observed: nil),
        // Escapes are resolved when parsed.
        #"'it\'s'"#: .value("it's"),
        // An invalid selector fails its spec.
        "span[": .spec(allPassed: false),
        // Distinct spans are counted.
        #"span[service.name="Pokeshop"], span[service.name contains "Pokeshop"] count"#: .spec(allPassed: false),
    ]

    private static func key(_ vector: Vector) -> String {
        if let spec = vector.spec {
            let selector = spec["selector"]!.string!
            return selector.hasPrefix("span[service") ? selector + " count" : selector
        }
        return vector.selector ?? vector.assertion ?? vector.expression!
    }

    @Test func everyQuirkHasADecision() {
        #expect(Set(Vectors.file.go_quirks_do_not_copy.map(Self.key)) == Set(Self.decisions.keys))
    }

    @Test(arguments: Vectors.file.go_quirks_do_not_copy)
    func decided(_ vector: Vector) throws {
        switch try #require(Self.decisions[Self.key(vector)]) {
        case .spans(let ids):
            try VectorChecks.selects(vector, ids)
        case .assertion(let passes, let observed):
            try VectorChecks.assertion(vector, passes: passes, observed: observed, error: nil)
        case .value(let text):
            VectorChecks.resolves(vector, to: .success(text))
        case .spec(let allPassed):
            let result = VectorChecks.specResult(vector)
            #expect(result.allPassed == allPassed)
            if vector.spec!["selector"]!.string == "span[" {
                let error = try #require(result.assertions.first?.spanResults.first?.error)
                #expect(error.code == .syntax)
                #expect(error.message.hasPrefix("could not create selector from statement \"span[\": 1:6: "))
                #expect(error.message.hasSuffix("\nspan[\n     ^"), "the run result shows where the mistake is")
            } else {
                #expect(result.spanIDs.count == 4)
            }
        }
    }

    @Test func precedenceAndParentheses() {
        for (text, passes) in [
            "2 + 3 * 4 = 14": true, "(2 + 3) * 4 = 20": true, "1.5 * 2 = 3": true, "10 - 2 - 3 = 5": true,
        ] {
            #expect((try? Assertion(parsing: text).evaluate(in: EvaluationContext()).passed) == passes, "\(text)")
        }
    }

    @Test func distinctSpansAreCounted() throws {
        let trace = Vectors.trace(Vectors.file.traces["pokeshop"]!)
        let spec = CompiledSpec(
            selector: #"span[service.name="Pokeshop"], span[service.name contains "Pokeshop"]"#,
            assertions: ["attr:tracetest.selected_spans.count = 4"])
        let result = spec.evaluate(on: TraceIndex(trace), variables: [String: String]())
        #expect(result.allPassed)
        #expect(result.assertions[0].spanResults.count == 4)
    }

    @Test func jsonPathRendersJSON() throws {
        let context = EvaluationContext()
        #expect(
            try Assertion(parsing: #"'{"a": {"b": 1}}' | json_path '$.a' = '{"b":1}'"#).evaluate(in: context).passed)
        #expect(try Assertion(parsing: #"'{"a": [1,2]}' | json_path '$.a' = '[1,2]'"#).evaluate(in: context).passed)
    }
}
