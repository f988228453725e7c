import Foundation
import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Trace document")
struct TraceDocumentTests {
    /// A trace of `count` spans whose parents are picked at random among the spans before them (so the tree has
    /// deep chains and wide fans), with text that needs escaping.
    static func randomTrace(count: Int) -> Trace {
        var spans: [Span] = []
        for number in 1...UInt64(count) {
            let parent: SpanID? = number == 1 ? nil : SpanID(UInt64.random(in: 1..<number))
            let name = number % 7 == 0 ? "quote \" and \\ and \n" : "span \(number)"
            let start = Int64(number) * 1_000_000
            spans.append(
                Span(
                    id: SpanID(number), parentID: parent, name: name, kind: .server, startTimeUnixNano: start,
                    endTimeUnixNano: start + 2_500_000, attributes: ["b": "2", "a": "x\(number)", "ü": "€"]))
        }
        return Trace(traceID: TraceID(high: 1, low: 2), spans: spans.shuffled())
    }

    @Test("tree and flat hold every span once, with its children in order, across the parts written in parallel")
    func structure() throws {
        let trace = Self.randomTrace(count: TraceDocument.partSize * 2 + 123)
        let text = TraceDocument.text(trace)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["traceId"] as? String == "00000000000000010000000000000002")
        let flat = try #require(document["flat"] as? [String: [String: Any]])
        #expect(flat.count == trace.count)
        #expect(flat.values.allSatisfy { $0["children"] == nil })

        // Walk the tree without recursion and compare each node's children with the trace's.
        var children: [SpanID: [SpanID]] = [:]
        for index in trace.spans.indices.dropFirst() {
            children[trace.spans[trace.parents[index]].id, default: []].append(trace.spans[index].id)
        }
        var stack = [try #require(document["tree"] as? [String: Any])]
        var visited = 0
        while let node = stack.popLast() {
            visited += 1
            let id = try #require(SpanID(hex: node["id"] as? String ?? ""))
            let nested = try #require(node["children"] as? [[String: Any]])
            #expect(nested.map { $0["id"] as? String } == (children[id] ?? []).map(\.hex))
            let attributes = try #require(node["attributes"] as? [String: String])
            #expect(attributes["ü"] == "€")
            let span = try #require(trace.spans.first { $0.id == id })
            #expect(node["name"] as? String == span.name)
            #expect(node["startTime"] as? Int == Int(span.startTimeUnixNano / 1_000_000))
            stack.append(contentsOf: nested)
        }
        #expect(visited == trace.count)
    }

    @Test("the spans read back from the document are the trace's")
    func roundTrip() throws {
        let trace = Self.randomTrace(count: 300)
        let parsed = try JSONSerialization.jsonObject(with: Data(TraceDocument.text(trace).utf8))
        let spans = try TraceDocument.spans(Self.wire(parsed), field: "trace")
        let read = Trace(traceID: trace.traceID, spans: spans)
        #expect(read.spans.map(\.id) == trace.spans.map(\.id))
        #expect(read.spans.map(\.name) == trace.spans.map(\.name))
        #expect(read.spans.map(\.attributes) == trace.spans.map(\.attributes))
    }

    /// Foundation's JSON objects as wire values.
    static func wire(_ value: Any) -> WireValue {
        switch value {
        case let text as String: .string(text)
        case let number as NSNumber: .integer(number.int64Value)
        case let list as [Any]: .array(list.map(wire))
        case let object as [String: Any]: .object(.init(uniqueKeysWithValues: object.map { ($0.key, wire($0.value)) }))
        default: .null
        }
    }
}
