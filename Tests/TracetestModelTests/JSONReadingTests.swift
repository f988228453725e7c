import Testing
import TracetestModel

@Suite("JSON: reading a value at a time")
struct JSONReadingTests {
    /// Reads `text` with `body`.
    func read<R>(_ text: String, _ body: (inout JSONParser) throws -> R) throws -> R {
        try Array(text.utf8).withUnsafeBytes { try JSONParser.read($0, body) }
    }

    @Test("objects and arrays are read field by field; skipped values of any shape are passed over")
    func fields() throws {
        let text = #"""
            { "skip": {"a": [1, {"b": "]}"}, [], {}], "c": null, "d": "x\"y"},
              "names": ["a", "b\u00e9", null],
              "tree": {"k": [true, false, -1.5e3]},
              "also skipped": [[["deep"]], "s", 0] }
            """#
        var names: [String?] = []
        var tree: JSONValue?
        var keys: [String] = []
        try read(text) { json in
            try json.readObject { json, key in
                keys.append(key)
                switch key {
                case "names": try json.readArray { json, _ in names.append(try json.readString()) }
                case "tree": tree = try json.readValue()
                default: try json.skipValue()
                }
            }
        }
        #expect(keys == ["skip", "names", "tree", "also skipped"])
        let counts = try read(#"[[1, [2, 3], {"a": [4]}, "]"], null, []]"#) { json in
            var counts: [Int] = []
            try json.readArray { json, _ in
                counts.append(try json.arrayCount())
                try json.skipValue()
            }
            return counts
        }
        #expect(counts == [4, 0, 0], "counted without being read")
        #expect(names == ["a", "bé", nil])
        #expect(tree == JSONParser.parse(#"{"k": [true, false, -1.5e3]}"#))
    }

    @Test("null reads as an empty object or array; scalars are read as they are")
    func nullsAndScalars() throws {
        let scalars = try read(#"[null, null, 12, "t", false]"#) { json in
            var values: [JSONValue] = []
            try json.readArray { json, index in
                switch index {
                case 0: try json.readObject { _, _ in Issue.record("no fields") }
                case 1: try json.readArray { _, _ in Issue.record("no elements") }
                default: values.append(try json.readScalar())
                }
            }
            return values
        }
        #expect(scalars == [.number("12"), .string("t"), .bool(false)])
    }

    @Test(
        "malformed input and values of the wrong kind are errors with their line and column",
        arguments: [
            (#"{"a": 1,}"#, 1, 9),
            ("{\"a\":\n [1 2]}", 2, 5),
            (#"{"a": 1} x"#, 1, 10),
            (#"{"a": {"b": [1, }]}}"#, 1, 17),
            (#"["#, 1, 1),
            (#"{"a": "unterminated"#, 1, 20),
            (#"{"a": 5}"#, 1, 7),
        ])
    func errors(text: String, line: Int, column: Int) throws {
        do {
            try read(text) { json in
                try json.readObject { json, key in
                    // The last case: a number where a string is read.
                    if text == #"{"a": 5}"# { _ = try json.readString() } else { try json.skipValue() }
                }
            }
            Issue.record("no error for \(text)")
        } catch let error as JSONParser.SyntaxError {
            #expect(error.line == line && error.column == column, "\(text): \(error)")
        }
    }

    @Test("skipping refuses nesting deeper than the maximum depth")
    func depth() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        }
        #expect(throws: JSONParser.SyntaxError.self) {
            try read(nested(JSONParser.maximumDepth + 1)) { try $0.skipValue() }
        }
        try read(nested(JSONParser.maximumDepth)) { try $0.skipValue() }
    }
}
