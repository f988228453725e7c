import Testing

@testable import TracetestLanguage

// Generated inputs through both parsers: nothing crashes or hangs, and every failure is a positioned error.
@Suite struct ParserFuzzTests {
    // Pieces of the two languages, valid and not, that the generator strings together.
    private static let pieces = [
        "span", "[", "]", "span[]", "name", "=", "contains", "\"x\"", "\"a\\\"b\"", "'y'", "200", "0.5", "0x1F", "true",
        "false", ":first", ":last", ":nth_child(2)", ":nth_child", "(", ")", ",", " ", "  ", "\n", ".", "service.name",
        "attr:", "attr:http.status_code", "attr:a-b", "var:X", "env:Y", "100ms", "1.5 s", "5 seconds", "+", "-", "*",
        "/", "!=", "<=", ">=", "<", ">", "not-contains", "|", "json_path", "'$.a[0]'", "regex", "length", "get_index",
        "'last'", "uuid()", "randomInt(1, 9)", "[1, 2]", "\"${var:A}\"", "'${attr:x | length}'", "${", "}", "\\",
        "'", "\"", "`", "“", "é", "//", "/*", "*/", "\t", "{", "@",
    ]

    private static let corpus =
        ExamplesCorpusTests.assertions + ExamplesCorpusTests.selectors
        + ExamplesCorpusTests.expressions

    // 50,000 inputs in each of two shapes (joined pieces, mutated corpus lines), each parsed as a selector, an
    // assertion and an expression.
    @Test(arguments: [UInt64(1), 2])
    func generatedInputsFailWithPositions(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var failures = 0
        for round in 0..<50_000 {
            let text = round % 2 == 0 ? Self.joined(&random) : Self.mutated(&random)
            failures += Self.parseAll(text)
        }
        #expect(failures > 0)
    }

    // Deep nesting and long inputs are refused or parsed without exhausting the stack.
    @Test func pathologicalInputs() {
        let inputs = [
            String(repeating: "(", count: 100_000), String(repeating: "[", count: 100_000),
            String(repeating: "span[] ", count: 20_000), String(repeating: "1 + ", count: 50_000) + "1 = 1",
            "'" + String(repeating: "${'", count: 10_000), String(repeating: "\\'", count: 50_000),
            String(repeating: "randomInt(", count: 10_000), String(repeating: "a | ", count: 10_000),
            "\"" + String(repeating: "${\"", count: 10_000), "'" + String(repeating: "${", count: 50_000) + "'",
            "span[" + String(repeating: "a.", count: 50_000), "/*" + String(repeating: "*", count: 50_000),
        ]
        for text in inputs { _ = Self.parseAll(text) }
        #expect(throws: LanguageError.self) { try Expression(parsing: String(repeating: "(", count: 100) + "1") }
        let deepPath = "'{}' | json_path '$" + String(repeating: "[?(@", count: 5_000) + "' = 1"
        #expect((try? Assertion(parsing: deepPath))?.evaluate(in: EvaluationContext()).error?.code == .filter)
        let deepJSON = "'" + String(repeating: "[", count: 100_000) + "' | json_path '$' = 1"
        #expect((try? Assertion(parsing: deepJSON))?.evaluate(in: EvaluationContext()).error?.code == .filter)
        #expect(
            (try? Assertion(parsing: String(repeating: "1 + ", count: 50_000) + "1 = 50001"))?.evaluate(
                in: EvaluationContext()
            ).passed == true)
    }

    // Parses `text` every way; returns how many parses failed, checking each failure is positioned.
    private static func parseAll(_ text: String) -> Int {
        let errors = [
            Result { () throws(LanguageError) in _ = try Selector(parsing: text) },
            Result { () throws(LanguageError) in _ = try Assertion(parsing: text) },
            Result { () throws(LanguageError) in _ = try Expression(parsing: text) },
        ].compactMap { result -> LanguageError? in
            guard case .failure(let error) = result else { return nil }
            return error
        }
        let count = text.unicodeScalars.count
        for error in errors
        where !(0...count).contains(error.offset) || error.line < 1 || error.column < 1 || error.message.isEmpty {
            Issue.record("unpositioned error for \(text.debugDescription): \(error)")
        }
        return errors.count
    }

    private static func joined(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 1...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    private static func mutated(_ random: inout SeededGenerator) -> String {
        var scalars = Array(corpus.randomElement(using: &random)!.unicodeScalars)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = Int.random(in: 0...scalars.count, using: &random)
            let piece = Array(pieces.randomElement(using: &random)!.unicodeScalars)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: scalars.insert(contentsOf: piece, at: position)
            case 1: if position < scalars.count { scalars.remove(at: position) }
            default: scalars.replaceSubrange(position..<min(scalars.count, position + piece.count), with: piece)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
