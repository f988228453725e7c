import Testing
import TracetestModel

@Suite("Wire encoding")
struct WireTests {
    @Test("JSON keeps field order and writes numbers like Go")
    func jsonOrderAndNumbers() throws {
        let value: WireValue = .object([
            "zeta": 1, "alpha": "a/b \"q\"\n", "pi": .double(3.5), "two": .double(2), "tenth": .double(0.1),
            "list": .array([.null, true]),
        ])
        #expect(value.jsonText == #"{"zeta":1,"alpha":"a/b \"q\"\n","pi":3.5,"two":2,"tenth":0.1,"list":[null,true]}"#)
    }

    @Test("encoder sorts dictionary keys and omits nil optionals")
    func encoderDictionaries() throws {
        struct Sample: Encodable {
            var name = "n"
            var missing: String? = nil
            var map = ["b": "2", "a": "1", "c": "3"]
        }
        #expect(try WireEncoder().encode(Sample()).jsonText == #"{"name":"n","map":{"a":"1","b":"2","c":"3"}}"#)
    }

    @Test("YAML quotes strings that would read back as another type")
    func yamlQuoting() throws {
        let value: WireValue = .object([
            "count": "123", "flag": "true", "empty": "", "plain": "hello world", "number": 7,
            "script": "line one\nline two\n",
        ])
        let yaml = try value.yamlText()
        #expect(yaml.contains("count: '123'"))
        #expect(yaml.contains("flag: 'true'"))
        #expect(yaml.contains("empty: ''"))
        #expect(yaml.contains("plain: hello world"))
        #expect(yaml.contains("number: 7"))
        #expect(yaml.contains("script: |"))
        let back = try WireDecoding.decode([String: String].self, from: yaml)
        #expect(back["count"] == "123")
        #expect(back["script"] == "line one\nline two\n")
    }

    @Test("syntax errors carry line and column")
    func syntaxErrorPosition() {
        #expect {
            _ = try WireDecoding.decode(
                Resource<TracetestModel.Test>.self, from: "type: Test\nspec:\n  name: \"unterminated\n")
        } throws: { error in
            guard let error = error as? WireDecodingError else { return false }
            return error.line != nil && error.column != nil && error.path.isEmpty
        }
    }

    @Test("type mismatches name the field and where it is")
    func typeMismatchPosition() throws {
        let yaml = """
            type: Test
            spec:
              name: ok
              trigger:
                type: http
                httpRequest:
                  headers: just-a-string
            """
        do {
            _ = try WireDecoding.decode(Resource<TracetestModel.Test>.self, from: yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "spec.trigger.httpRequest.headers")
            #expect(error.line == 7)
            #expect(error.problem.contains("a list"))
            #expect(error.description.contains("just-a-string"))
        }
    }

    @Test("JSON bodies are read as JSON: every escape as JSON defines it, mistakes with their position")
    func jsonBodies() throws {
        let text =
            #"{"type":"Test","spec":{"id":"123","name":"\ud83d\ude00 \u00e9","specs":[{"selector":"span","assertions":["a = 1"]}]}}"#
        let test = try WireDecoding.decode(
            Resource<TracetestModel.Test>.self, from: try WireDecoding.jsonDocument(text))
        #expect(test.spec.id == "123")
        #expect(test.spec.name == "😀 é")
        #expect(test.spec.specs == [TestSpec(selector: "span", assertions: ["a = 1"])])
        let mistakes: [(String, Int, Int, String)] = [
            ("{\"type\": \"Test\",\n \"spec\": {\"name\": }}", 2, 19, "invalid JSON: unexpected \"}\""),
            (#"{"name": "\ud83d"}"#, 1, 17, "invalid JSON: \\uD83D is half of a surrogate pair, not a character"),
            (#"{"name": "a\qb"}"#, 1, 12, #"invalid JSON: invalid escape; a backslash is written \\"#),
            ("{\"a\": 1} x", 1, 10, "invalid JSON: more text after the document"),
            ("{\"a\": [1, 2", 1, 12, "invalid JSON: unexpected end of the document"),
        ]
        for (json, line, column, problem) in mistakes {
            do {
                _ = try WireDecoding.jsonDocument(json)
                Issue.record("expected an error for \(json)")
            } catch {
                #expect(error.line == line, "\(json)")
                #expect(error.column == column, "\(json)")
                #expect(error.problem == problem, "\(json)")
            }
        }
    }

    @Test("a resource without spec is rejected")
    func missingSpec() {
        #expect(throws: WireDecodingError.self) {
            try WireDecoding.decode(Resource<TracetestModel.Test>.self, from: "type: Test")
        }
    }
}

@Suite("Timestamp")
struct TimestampTests {
    @Test(arguments: [
        ("2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.123456Z"),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T12:00:00.1Z", "2024-05-01T12:00:00.1Z"),
        ("2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2024-02-29T23:59:59.999999999Z", "2024-02-29T23:59:59.999999Z"),
    ])
    func roundTrip(input: String, output: String) throws {
        let timestamp = try #require(Timestamp(rfc3339: input))
        #expect(timestamp.rfc3339 == output)
    }

    @Test func zeroAndEpoch() {
        #expect(Timestamp(rfc3339: "0001-01-01T00:00:00Z") == .zero)
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z") == .epoch)
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:01.5Z")?.unixMilliseconds == 1500)
    }

    @Test(arguments: ["", "2024-13-01T00:00:00Z", "2024-05-01", "2024-05-01T12:00:00", "yesterday"])
    func rejects(input: String) {
        #expect(Timestamp(rfc3339: input) == nil)
    }
}

@Suite("Go durations")
struct GoDurationTests {
    @Test(
        arguments: [
            ("500ms", 500_000_000), ("1m30s", 90_000_000_000), ("1.5h", 5_400_000_000_000), ("2us", 2_000),
            ("0", 0), ("-1s", -1_000_000_000), ("1h2m3s", 3_723_000_000_000),
        ] as [(String, Int64)])
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == nanoseconds)
    }

    @Test(
        arguments: [
            (0, "0s"), (500_000_000, "500ms"), (90_000_000_000, "1m30s"), (3_723_500_000_000, "1h2m3.5s"),
            (1_500, "1.5µs"),
        ] as [(Int64, String)])
    func formats(nanoseconds: Int64, text: String) {
        #expect(GoDuration(nanoseconds: nanoseconds).description == text)
    }

    @Test(arguments: ["", "5", "5x", "ms", "1.2.3s"])
    func rejects(text: String) {
        #expect(throws: GoDurationError.self) { try GoDuration(parsing: text) }
    }
}

@Suite("Assertion results as JSON")
struct AssertionResultsJSONTests {
    @Test("the fast writer writes what the wire encoder writes: optional fields, escapes, nesting")
    func sameAsTheEncoder() throws {
        let results = AssertionResults(results: [
            .init(
                selector: .object(["query": "span[name=\"a\"]", "structure": .array([])]),
                results: [
                    .init(
                        assertion: "attr:x = \"1\"\n",
                        spanResults: [
                            .init(spanID: "0000000000000001", observedValue: "1", passed: true),
                            .init(
                                spanID: nil, observedValue: "tab\there \u{2028} €", passed: false, error: "no \\ match"),
                        ]),
                    .init(assertion: "attr:y = 2", spanResults: []),
                ]),
            .init(selector: .object(["query": "", "structure": .array([])]), results: []),
        ])
        #expect(results.jsonText == (try WireEncoder().encode(results)).jsonText)
        #expect(!results.allPassed)
    }
}
