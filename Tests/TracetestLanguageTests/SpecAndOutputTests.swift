import Testing
import TracetestModel

@testable import TracetestLanguage

@Suite struct SpecAndOutputTests {
    private let index = TraceIndex(Vectors.trace(Vectors.file.traces["pokeshop"]!))

    @Test func resultsPerSpanInSelectionOrder() {
        let spec = CompiledSpec(
            selector: #"span[service.name contains "Pokeshop"]"#,
            assertions: [#"attr:service.name = "Pokeshop""#, "attr:tracetest.selected_spans.count = 4", "1 ="])
        let result = spec.evaluate(on: index, variables: [String: String]())
        #expect(
            result.spanIDs.map(\.hex) == [
                "0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004",
            ])
        #expect(result.assertions[0].spanResults.map(\.passed) == [true, true, false, false])
        #expect(result.assertions[0].spanResults[2].observedValue == "Pokeshop-worker")
        #expect(result.assertions[1].allPassed)
        #expect(result.assertions[2].spanResults.count == 4)
        #expect(result.assertions[2].spanResults.allSatisfy { $0.error?.code == .syntax })
        #expect(!result.allPassed)
    }

    @Test func specsEvaluatedTogetherMatchOneByOne() {
        let specs = [
            CompiledSpec(selector: "span[", assertions: ["1 = 1"]),
            CompiledSpec(selector: #"span[kind="client"]"#, assertions: ["attr:db.statement contains \"pokemon\""]),
            CompiledSpec(selector: "", assertions: ["attr:tracetest.selected_spans.count = 4", "attr:x = 1"]),
            CompiledSpec(selector: #"span[name="none"]"#, assertions: ["attr:tracetest.selected_spans.count = 0"]),
        ]
        let together = CompiledSpec.evaluate(specs, on: index, variables: [String: String]())
        #expect(together == specs.map { $0.evaluate(on: index, variables: [String: String]()) })
        #expect(together.map(\.allPassed) == [false, true, false, true])
    }

    @Test func noSelectedSpanGivesOneResultWithoutSpan() {
        let spec = CompiledSpec(
            selector: #"span[name="nothing"]"#,
            assertions: ["attr:tracetest.selected_spans.count = 0", "attr:name = 1", #"var:X = "y""#])
        let result = spec.evaluate(on: index, variables: ["X": "y"])
        #expect(result.spanIDs.isEmpty)
        #expect(result.assertions.map { $0.spanResults.count } == [1, 1, 1])
        #expect(result.assertions.flatMap(\.spanResults).allSatisfy { $0.spanID == nil })
        #expect(result.assertions.map(\.allPassed) == [true, false, true])
        #expect(
            result.assertions[1].spanResults[0].error?.message.hasPrefix(
                "resolution error: there are no matching spans") == true)
    }

    @Test func outputsUseTheFirstSpanAndReportErrors() {
        let variables = ["PREFIX": "db"]
        func resolve(_ selector: String, _ value: String) -> OutputResult {
            TestOutput(name: "OUT", selector: selector, value: value).resolve(in: index, variables: variables)
        }
        let first = resolve(#"span[kind="client"]"#, #""${var:PREFIX}:${attr:db.statement}""#)
        #expect(
            first
                == OutputResult(
                    name: "OUT", value: "db:INSERT INTO pokemon (id) values (?)", spanID: SpanID(2), resolved: true,
                    error: nil))
        #expect(resolve("", "attr:service.name").value == "Pokeshop")
        #expect(
            resolve("span[", "1").error?.hasPrefix(
                #"cannot parse output "OUT" selector "span[": could not create selector"#) == true)
        #expect(
            resolve("span[]", "var:NOPE").error
                == #"cannot resolve output "OUT" value "var:NOPE": resolution error: variable "NOPE" not found"#)
    }

    @Test func templatesRenderTriggerFields() throws {
        let template = try Template(parsing: #"{"name": "O'Brien", "id": ${var:ID}, "n": "${var:ID + 1}", "x": "${}"}"#)
        let context = EvaluationContext(variables: ["ID": "41"])
        #expect(try template.render(in: context) == #"{"name": "O'Brien", "id": 41, "n": "42", "x": "${}"}"#)
        #expect(template.tokens.compactMap(\.variableName) == ["ID", "ID"])
        #expect(throws: EvaluationError.self) { try Template(parsing: "${var:MISSING}").render(in: context) }
        #expect(try Template(parsing: "${var:MISSING}").render(in: EvaluationContext()) == "")
        #expect(throws: LanguageError.self) { try Template(parsing: "http://${var:}/x") }
    }

    @Test func resolveAPI() throws {
        let context = EvaluationContext(variables: ["A": "1"])
        #expect(try StatementResolution.resolve("var:A + 1 = 2", in: context) == "2 = 2")
        #expect(try StatementResolution.resolve("[var:A, 'x']", in: context) == #"[1, "x"]"#)
        #expect(throws: EvaluationError.self) { try StatementResolution.resolve("var:A +", in: context) }
    }

    @Test func missingVariablesOfATest() {
        let test = TracetestModel.Test(
            trigger: Trigger(
                type: "http",
                httpRequest: HTTPRequest(
                    method: "GET", url: "${var:HOST}/api", headers: [KeyValue(key: "x-${env:H}", value: "${var:HOST}")],
                    body: "{'a': ${var:BODY}}")),
            specs: [TestSpec(selector: "span[]", assertions: ["attr:x = var:EXPECTED", "var:OUT = 1"])],
            outputs: [TestOutput(name: "OUT", selector: "span[]", value: "var:SEED")])
        #expect(MissingVariables.detect(in: test, available: ["HOST"]) == ["H", "BODY", "EXPECTED", "SEED"])
    }

    @Test func compiledFormsAreCached() throws {
        #expect(try Selector.cached("span[]") == Selector(parsing: "span[]"))
        #expect(try Assertion.cached("1 = 1") == Assertion(parsing: "1 = 1"))
        for _ in 0..<2 {
            #expect(throws: LanguageError.self) { try Expression.cached("1 +") }
        }
    }

    @Test func errorsArePositioned() {
        #expect {
            try Assertion(parsing: "attr:a = 1\n  and attr:b = 2")
        } throws: { error in
            guard let error = error as? LanguageError else { return false }
            return error.line == 2 && error.column == 3 && error.excerpt == "  and attr:b = 2\n  ^"
                && error.description.hasPrefix(#"invalid syntax "attr:a = 1"#)
        }
        #expect {
            try Selector(parsing: "span[name=]")
        } throws: { error in
            (error as? LanguageError)?.message == #"expected a value ("text", a number, true or false), found "]""#
        }
        #expect(throws: LanguageError.self) { try Selector(parsing: "span[a=1]:first:last") }
        #expect(throws: LanguageError.self) { try Selector(parsing: #"span[a!="x"]"#) }
        #expect(throws: LanguageError.self) { try Selector(parsing: "span[a=1] garbage") }
        #expect(throws: LanguageError.self) { try Assertion(parsing: "attr:x = -1") }
        #expect(throws: LanguageError.self) { try Assertion(parsing: "attr:x | length + 1 = 1") }
        #expect(throws: LanguageError.self) { try Expression(parsing: "1 = 1") }
        #expect(throws: LanguageError.self) { try Assertion(parsing: #"'{"x": 1}' | get_index last = 1"#) }
    }
}
