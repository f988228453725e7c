import Foundation
import Testing
import TracetestModel

@testable import TracetestLanguage

// The checks shared by the categories of language-vectors.json (derived and decided entries reuse them).
enum VectorChecks {
    static func selectorParses(_ text: String, valid: Bool) {
        do {
            _ = try Selector(parsing: text)
            #expect(valid, "\(text) parsed but is invalid")
        } catch {
            #expect(!valid, "\(text): \(error)")
            expectPositioned(error, in: text)
        }
    }

    static func selects(_ vector: Vector, _ expected: [String]) throws {
        let trace = Vectors.trace(for: vector)
        #expect(try Vectors.selectedIDs(vector.selector!, in: trace) == expected)
    }

    // Evaluates the vector's assertion; `{NOW}` is the current time in the vector's layout (retried across a second
    // boundary).
    static func assertion(_ vector: Vector, passes: Bool, observed: String?, error: String?) throws {
        var outcome: AssertionOutcome!
        for _ in 0..<3 {
            let text = vector.assertion!.replacingOccurrences(of: "{NOW}", with: now(vector.now_go_layout))
            outcome = try Assertion(parsing: text).evaluate(in: vector.context)
            if outcome.passed == passes { break }
        }
        #expect(outcome.passed == passes, "\(String(describing: outcome.error))")
        if let observed { #expect(outcome.observedValue == observed) }
        if let error { #expect(outcome.error?.message == error) }
    }

    private static func now(_ goLayout: String?) -> String {
        let formats = [
            "2006-01-02": "yyyy-MM-dd", "2006-01-02T15:04:05Z07:00": "yyyy-MM-dd'T'HH:mm:ssXXXXX",
            "02/01/2006 15:04": "dd/MM/yyyy HH:mm",
        ]
        guard let goLayout else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = formats[goLayout]!
        return formatter.string(from: Date())
    }

    // `ResolveStatement` of the vector's expression: its text, or the error message.
    static func resolves(_ vector: Vector, to expected: Result<String, EvaluationError>) {
        let result = Result { () throws(EvaluationError) in
            try StatementResolution.resolve(vector.expression!, in: vector.context)
        }
        switch (result, expected) {
        case (.success(let text), .success(let wanted)): #expect(text == wanted)
        case (.failure(let error), .failure(let wanted)): #expect(error.message == wanted.message)
        default: Issue.record("\(vector.expression!): got \(result), expected \(expected)")
        }
    }

    static func output(_ vector: Vector, value: String, resolved: Bool, spanID: String, error: String?) {
        let definition = vector.output!
        let output = TestOutput(
            name: definition["name"]!.string!, selector: definition["selector"]!.string!,
            value: definition["value"]!.string!)
        let result = output.resolve(in: TraceIndex(Vectors.trace(for: vector)), variables: [String: String]())
        #expect(result.value == value)
        #expect(result.resolved == resolved)
        #expect((result.spanID?.hex ?? "") == spanID)
        if let error, let prefix = error.components(separatedBy: "<parser detail>").first {
            #expect(result.error?.hasPrefix(prefix) == true, "\(String(describing: result.error))")
        } else {
            #expect(result.error == nil)
        }
    }

    static func specResult(_ vector: Vector) -> SpecResult {
        let spec = vector.spec!
        let compiled = CompiledSpec(
            selector: spec["selector"]!.string!, assertions: spec["assertions"]!.array!.compactMap(\.string))
        return compiled.evaluate(
            on: TraceIndex(Vectors.trace(for: vector)), variables: vector.variables ?? [String: String]())
    }

    static func expectPositioned(_ error: LanguageError, in text: String) {
        let count = text.unicodeScalars.count
        #expect((0...count).contains(error.offset), "offset \(error.offset) outside \(text)")
        #expect(error.line >= 1 && error.column >= 1)
        #expect(!error.message.isEmpty)
        #expect(error.excerpt.hasSuffix("^"))
        #expect(error.description.contains("\(error.line):\(error.column): "))
    }
}
