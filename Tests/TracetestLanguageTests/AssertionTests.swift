import Foundation
import Testing
import TracetestModel

@testable import TracetestLanguage

@Suite struct AssertionTests {
    private func outcome(_ text: String, _ attributes: [String: String]? = nil, variables: [String: String]? = nil)
        throws -> AssertionOutcome
    {
        let context = EvaluationContext(
            attributes: attributes.map { .span($0) } ?? .none, selectedSpanCount: 1, variables: variables)
        return try Assertion(parsing: text).evaluate(in: context)
    }

    @Test(arguments: [
        ("1 = 1.0", true), ("1.5 < 2", true), ("007 = 7", true), ("0.1 + 0.2 = 0.3", true), ("7.0 / 2 = 3.5", true),
        (#""abc" < 1"#, false), ("[1.0, 2] = [1, 2.00]", true), ("[1, 2] = [2, 1]", false),
        (#"[1, 2] contains "2.0""#, true), ("[1, 2] not-contains 3", true), ("[1, 2] not-contains 2", false),
        (#"'{"a":1,"b":{"c":[1,2]}}' contains '{"b":{"c":[1,2]}}'"#, true),
        (#"'{"a":1,"b":{"c":[1,2]}}' not-contains '{"b":{"c":[2]}}'"#, true),
        (#"'{"a":1}' not-contains '{"a":1}'"#, false),
        (#"'[{"id":1},{"id":2}]' contains '{"id":2}'"#, true),
        (#"'{"a":[{"x":1},{"x":2,"y":3}]}' | json_path '$.a[*]' contains '{"y":3}'"#, true),
        ("1500ms = 1.5s", true), (#""1s" = 1000ms"#, true), ("var:MAX > 999ms", true),
        (#"'{"a": "x"}' | json_path '$.a' = "x""#, true),
    ])
    func comparisons(_ text: String, _ passes: Bool) throws {
        #expect(try outcome(text, variables: ["MAX": "1s"]).passed == passes, "\(text)")
    }

    @Test func failureMessages() throws {
        #expect(try outcome("1 / 0 = 1").error?.message == "division by zero")
        #expect(try outcome(#""abc" < 1"#).error?.message == #"cannot parse "abc" as integer"#)
        #expect(
            try outcome(#"'{"a":{"b":1}}' contains '{"a":{"b":2}}'"#).error?.message
                == #"field "a": field "b": no match"#)
        #expect(
            try outcome(#"'{"a":1}' contains '{"b":1}'"#).error?.message
                == #"field "b" not found on left side: no match"#)
        #expect(try outcome(#"'{"a":{"b":1}}' contains '{"a":1}'"#).error?.message == #"field: "a": wrong type"#)
        #expect(
            try outcome(#"'[{"a":1},{"a":2}]' contains '[{"a":2},{"a":3}]'"#).error?.message
                == "left side array doesn't match item 1 of right side: no match")
        #expect(
            try outcome(#""x" | count = 1"#).error?.message == #"resolution error: filter "count" not found"#,
            "count is a token of the language but no filter, as upstream")
        #expect(try outcome(#"'[1]' contains '{"a":1}'"#).error?.message == "left side is not a JSON object")
        #expect(try outcome("attr:d < 1s", ["d": "soon"]).error?.message == #"cannot parse "soon" as a duration"#)
        #expect(try outcome("attr:a = 1", [:]).error?.message == #"resolution error: attribute "a" not found"#)
        #expect(try outcome("var:A = 1", variables: [:]).error?.message == #"resolution error: variable "A" not found"#)
        #expect(try outcome("var:A = \"\"").passed, "without a variable store, unknown variables are empty")
        #expect(
            try outcome("attr:tracetest.selected_spans.other = 1").error?.message
                == "could not resolve meta attribute: unknown meta attribute tracetest.selected_spans.other")
        #expect(
            try outcome("randomInt(var:LOW, 2) = 1", variables: [:]).error?.message
                == #"resolution error: on argument 0 of function randomInt: resolution error: variable "LOW" not found"#
        )
        #expect(
            try outcome("[1, var:B] = [1]", variables: [:]).error?.message
                == #"resolution error: at index 1 of array: variable "B" not found"#)
        // A missing variable is an error wherever it sits, also in an array a filter indexes.
        for expression in [#"["a", var:MISSING] | get_index 0 = "a""#, #"["a", env:MISSING] | get_index 0 = "a""#] {
            #expect(
                try outcome(expression, variables: [:]).error?.message
                    == #"resolution error: at index 1 of array: variable "MISSING" not found"#, "\(expression)")
        }
        #expect(try outcome(#""x" | nope = 1"#).error?.message == #"resolution error: filter "nope" not found"#)
        #expect(try outcome(#""x" | json_path '$.a' = 1"#).error?.message == "json_path: invalid JSON input: x")
        #expect(try outcome(#"'{}' | json_path '$[' = 1"#).error?.code == .filter)
        #expect(try outcome("[1] | length 2 = 1").error?.message == "length: wrong number of args. Expected 0, got 1")
        #expect(
            try outcome("1 | length = 1").error?.message
                == "length: unsupported type: expected array or string, got number")
        #expect(
            try outcome(#"randomInt("a", 2) = 1"#).error?.message
                == "invalid argument type on index 0: expected number, got string")
        #expect(try outcome("uuid(1) = 1").error?.message == "too many parameters. Expected at most 0 params, got 1")
    }

    @Test func observedValues() throws {
        #expect(
            try outcome("attr:tracetest.span.duration < 1s", ["tracetest.span.duration": "25187564"]).observedValue
                == "25.187564ms")
        #expect(try outcome("attr:body | json_path '$.id' = 2", ["body": #"{"id": 52}"#]).observedValue == "52")
        #expect(try outcome(#"'it\'s' = "it's""#).passed)
        #expect(try outcome(#"'a\"b' = "a\"b""#).observedValue == #"a\"b"#, "only the string's own quote is an escape")
        #expect(try outcome("attr:x = 2", ["x": "y"]).observedValue == "y")
        #expect(try outcome("var:X = 2", variables: [:]).observedValue == "")
    }

    @Test func filtersAndFunctions() throws {
        #expect(try outcome(#"'{"a":[{"n":"x","v":1},{"n":"y","v":2}]}' | json_path '$.a[?(@.v > 1)].n' = "y""#).passed)
        #expect(try outcome(#"'{"a":[1,2,3,4]}' | json_path '$.a[1:3]' = [2, 3]"#).passed)
        #expect(try outcome(#"'{"a":[1,2,3,4]}' | json_path '$.a[-1]' = 4"#).passed)
        #expect(try outcome(#"'{"a":{"b":{"c":5}}}' | json_path '$..c' = 5"#).passed)
        #expect(try outcome(#"'{"a":{"b":1,"c":2}}' | json_path '$.a.*' | length = 2"#).passed)
        #expect(try outcome(#"'user ada has 3' | regex_group 'user (\w+) has (\d+)' = ["ada", 3]"#).passed)
        #expect(try outcome(#"'a-b' | regex '[a-z]' | get_index 'last' = "b""#).passed)
        #expect(try outcome(#""héllo" | length = 6"#).passed, "UTF-8 bytes, as Tracetest")
        #expect(try outcome(#"[] | type = "array""#).passed)
        #expect(try outcome(#"'{"a":1}' | json_path '$.b' | type = "nil""#).passed)
        #expect(try outcome(#"uuid() | length = 36"#).passed)
        #expect(try outcome(#"email() contains "@""#).passed)
        #expect(try outcome(#"fullName() contains " ""#).passed)
        #expect(try outcome(#"phone() | type = "number""#).passed)
        #expect(try outcome(#"creditCard() | regex '^4\d{15}$' | type = "number""#).passed)
        #expect(try outcome(#"creditCardCvv() | regex '^\d{3}$' | type = "number""#).passed)
        #expect(try outcome(#"creditCardExpDate() | length = 5"#).passed)
        #expect(try outcome(#"lastName() != """#).passed)
        #expect(try outcome("randomInt(3, 3) = 3").passed)
        #expect(try outcome(#"'${1ms + 1ns}' = 1000001"#).passed)
        #expect(try outcome(#""${var:A}-${var:B}" = "x-7""#, variables: ["A": "x", "B": "7"]).passed)
        #expect(try outcome(#""100% ${var:A}" = "100% x""#, variables: ["A": "x"]).passed)
        #expect(try outcome(#""${}" = "${}""#).passed)
    }

    @Test func goTimeLayouts() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123)
        let expected = GoTimeLayout.format(date, layout: "2006-01-02 15:04:05.000 Jan Monday _2 PM")
        #expect(expected.count == "2023-11-14 22:13:20.123 Nov Tuesday 14 PM".count)
        #expect(GoTimeLayout.fromFmtdate("DD/MM/YYYY hh:mm") == "02/01/2006 15:04")
    }
}
