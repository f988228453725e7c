import TestSupport
import Testing
import TracetestModel

@testable import TracetestLanguage

@Suite struct SelectionTests {
    // A 10,000-level parent chain: assembly, selection, descendant selectors and a spec all work.
    @Test func deepChain() throws {
        let depth = 10_000
        let spans = (1...depth).map { (level: Int) -> Span in
            let parent: SpanID? = level == 1 ? nil : SpanID(UInt64(level - 1))
            return Span(
                id: SpanID(UInt64(level)), parentID: parent, name: "s\(level)", startTimeUnixNano: Int64(level),
                endTimeUnixNano: Int64(level + 1), attributes: ["level": String(level)])
        }
        let index = TraceIndex(Trace(traceID: TraceID(high: 1, low: 2), spans: spans, now: 1))
        #expect(try Selector(parsing: #"span[name="s1"] span[name="s10000"]"#).select(in: index) == [depth - 1])
        #expect(try Selector(parsing: #"span[name="s5000"] span[]:last"#).select(in: index) == [depth - 1])
        #expect(try Selector(parsing: "span[level contains \"9999\"]").select(in: index) == [9998])
        let result = CompiledSpec(selector: #"span[name="s1"] span[]"#, assertions: ["attr:level > 1"])
            .evaluate(on: index, variables: [String: String]())
        #expect(result.allPassed && result.spanIDs.count == depth - 1)
    }

    // The index-driven selection agrees with a direct reading of DECISIONS.md on random trees and selectors.
    @Test(arguments: [UInt64(7), 8, 9])
    func agreesWithReference(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        for _ in 0..<40 {
            let trace = Self.randomTrace(&random)
            let index = TraceIndex(trace)
            for _ in 0..<25 {
                let text = Self.randomSelector(&random)
                let selector = try Selector(parsing: text)
                #expect(selector.select(in: index) == Self.reference(selector, trace), "\(text)")
            }
        }
    }

    private static let names = ["a", "b", "c"]

    private static func randomTrace(_ random: inout SplitMix64) -> Trace {
        let count = Int.random(in: 1...40, using: &random)
        let spans = (0..<count).map { position in
            var attributes = ["svc": names.randomElement(using: &random)!]
            if Bool.random(using: &random) { attributes["n"] = ["1", "1.0", "2", ""].randomElement(using: &random)! }
            return Span(
                id: SpanID(UInt64(position + 1)),
                parentID: position == 0 ? nil : SpanID(UInt64(Int.random(in: 0..<position, using: &random) + 1)),
                name: names.randomElement(using: &random)!, attributes: attributes)
        }
        return Trace(traceID: TraceID(high: 1, low: 1), assembled: spans)
    }

    private static func randomSelector(_ random: inout SplitMix64) -> String {
        let filters = [
            "", #"name="a""#, #"svc="b""#, #"name contains "c""#, "n=1", #"n="""#, #"svc="c" name="a""#, "n=2",
        ]
        let pseudo = ["", "", ":first", ":last", ":nth_child(2)"]
        func step() -> String {
            "span[\(filters.randomElement(using: &random)!)]\(pseudo.randomElement(using: &random)!)"
        }
        return (0..<Int.random(in: 1...2, using: &random)).map { _ in
            (0..<Int.random(in: 1...3, using: &random)).map { _ in step() }.joined(separator: " ")
        }.joined(separator: ", ")
    }

    // Straightforward: every span tested against every filter; ancestry by walking parents.
    private static func reference(_ selector: Selector, _ trace: Trace) -> [Int] {
        var result: [Int] = []
        for path in selector.alternatives {
            var previous: [Int]?
            for step in path.steps {
                var matched = trace.spans.indices.filter { span in
                    step.filters.allSatisfy { matches($0, span, trace) }
                        && (previous.map { hasAncestor(span, in: Set($0), trace) } ?? true)
                }
                if let pseudo = step.pseudoClass { matched = pseudo.apply(to: matched) }
                previous = matched
            }
            for span in previous ?? [] where !result.contains(span) { result.append(span) }
        }
        return result
    }

    private static func hasAncestor(_ span: Int, in candidates: Set<Int>, _ trace: Trace) -> Bool {
        var current = trace.parents[span]
        while current >= 0 {
            if candidates.contains(current) { return true }
            current = trace.parents[current]
        }
        return false
    }

    private static func matches(_ filter: SpanFilter, _ span: Int, _ trace: Trace) -> Bool {
        let actual =
            filter.property == "name" ? trace.spans[span].name : trace.spans[span].attributes[filter.property] ?? ""
        switch (filter.operator, filter.value.kind) {
        case (.contains, _): return actual.contains(filter.value.text)
        case (.equals, .integer), (.equals, .float): return Double(actual) == Double(filter.value.text)
        case (.equals, _): return actual == filter.value.text
        }
    }
}
