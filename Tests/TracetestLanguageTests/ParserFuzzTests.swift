import TestSupport
import Testing

@testable import TracetestLanguage

// Generated inputs through both parsers: nothing crashes or hangs, and every failure is a positioned error.
@Suite(.timeLimit(.minutes(3))) struct ParserFuzzTests {
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

    // 75,000 inputs per seed, a third in each shape (joined pieces, corpus lines mutated with pieces, corpus lines
    // mutated with arbitrary Unicode scalars), each parsed as a selector, an assertion and an expression.
    @Test(arguments: [UInt64(1), 2])
    func generatedInputsFailWithPositions(seed: UInt64) async throws {
        let (failures, unpositioned) = try await onOwnThread {
            var random = SplitMix64(state: seed)
            var failures = 0
            var unpositioned: [String] = []
            for round in 0..<75_000 {
                let text =
                    switch round % 3 {
                    case 0: Self.joined(&random)
                    case 1: Self.mutated(&random)
                    default: Self.scrambled(&random)
                    }
                failures += Self.parseAll(text, unpositioned: &unpositioned)
            }
            return (failures, unpositioned)
        }
        #expect(failures > 0)
        #expect(unpositioned.isEmpty, "\(unpositioned.prefix(20))")
    }

    // Deep nesting and long inputs are refused or parsed without exhausting the stack.
    @Test func pathologicalInputs() async throws {
        let inputs = [
            String(repeating: "(", count: 100_000), String(repeating: "[", count: 100_000),
            String(repeating: "span[] ", count: 20_000), String(repeating: "1 + ", count: 50_000) + "1 = 1",
            "'" + String(repeating: "${'", count: 10_000), String(repeating: "\\'", count: 50_000),
            String(repeating: "randomInt(", count: 10_000), String(repeating: "a | ", count: 10_000),
            "\"" + String(repeating: "${\"", count: 10_000), "'" + String(repeating: "${", count: 50_000) + "'",
            "span[" + String(repeating: "a.", count: 50_000), "/*" + String(repeating: "*", count: 50_000),
        ]
        let unpositioned = try await onOwnThread {
            var unpositioned: [String] = []
            for text in inputs { _ = Self.parseAll(text, unpositioned: &unpositioned) }
            return unpositioned
        }
        #expect(unpositioned.isEmpty, "\(unpositioned)")
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

    // Parses `text` every way; returns how many parses failed, adding each failure that is not positioned.
    private static func parseAll(_ text: String, unpositioned: inout [String]) -> Int {
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
        where !(0...count).contains(error.reportedOffset) || error.line < 1 || error.column < 1
            || error.message.isEmpty || !error.excerpt.hasSuffix("^")
        {
            unpositioned.append("unpositioned error for \(text.debugDescription): \(error)")
        }
        return errors.count
    }

    private static func joined(_ random: inout SplitMix64) -> String {
        (0..<Int.random(in: 1...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    // A corpus line with scalars replaced or inserted at random: control characters (NUL, form feed, ...), ASCII,
    // and any other Unicode scalar.
    private static func scrambled(_ random: inout SplitMix64) -> String {
        var scalars = Array(corpus.randomElement(using: &random)!.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let scalar: Unicode.Scalar
            switch Int.random(in: 0..<3, using: &random) {
            case 0: scalar = Unicode.Scalar(UInt8.random(in: 0..<32, using: &random))
            case 1: scalar = Unicode.Scalar(UInt8.random(in: 32..<128, using: &random))
            default:
                var candidate: Unicode.Scalar?
                while candidate == nil { candidate = Unicode.Scalar(UInt32.random(in: 128...0x10FFFF, using: &random)) }
                scalar = candidate!
            }
            let position = Int.random(in: 0...scalars.count, using: &random)
            if Bool.random(using: &random) || position == scalars.count {
                scalars.insert(scalar, at: position)
            } else {
                scalars[position] = scalar
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func mutated(_ random: inout SplitMix64) -> String {
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
