import Foundation
import Testing
import TracetestModel

/// The `trace_assembly` and `span_types` vectors of language-vectors.json (kept with the language tests).
enum AssemblyVectors {
    static var document: [String: Any] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TracetestLanguageTests/Fixtures/language-vectors.json")
        let data = (try? Data(contentsOf: file)) ?? Data("{}".utf8)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    static var traceAssembly: [[String: Any]] { document["trace_assembly"] as? [[String: Any]] ?? [] }
    static var spanTypes: [[String: Any]] { document["span_types"] as? [[String: Any]] ?? [] }
}

/// A tree as the vectors write it: `{"name": [children...]}`.
func shape(_ trace: Trace, _ index: Int = 0) -> [String: Any] {
    [trace.spans[index].name: trace.children(of: index).map { shape(trace, $0) }]
}

@Suite("Trace assembly")
struct TraceAssemblyTests {
    @Test("the trace_assembly vectors")
    func vectors() throws {
        let vectors = AssemblyVectors.traceAssembly
        #expect(vectors.count == 6)
        for vector in vectors {
            let name = vector["test"] as? String ?? "?"
            let base: Int64 = 1_700_000_000_000_000_000
            var ids: [String: SpanID] = [:]
            let input = try #require(vector["spans"] as? [[String: Any]])
            for (index, span) in input.enumerated() { ids[span["id"] as! String] = SpanID(UInt64(index + 1)) }
            let spans = input.map { span in
                Span(
                    id: ids[span["id"] as! String]!,
                    parentID: (span["parentId"] as? String).flatMap { ids[$0] },
                    name: span["name"] as! String,
                    startTimeUnixNano: base + Int64(span["start_offset_s"] as! Int) * 1_000_000_000,
                    endTimeUnixNano: base + Int64(span["end_offset_s"] as! Int) * 1_000_000_000
                )
            }
            let trace = Trace(traceID: .random(), spans: spans)
            let expected = try #require(vector["expected"] as? [String: Any])
            if let root = expected["root"] as? String { #expect(trace.root.name == root, "\(name)") }
            if let rootID = expected["root_id"] as? String { #expect(trace.root.id == ids[rootID], "\(name)") }
            if let count = expected["flat_count"] as? Int {
                #expect(trace.count == count, "\(name)")
            }
            if let tree = expected["tree"] as? NSDictionary {
                #expect(NSDictionary(dictionary: shape(trace)) == tree, "\(name)")
            }
        }
    }

    @Test("the span_types vectors")
    func spanTypes() {
        #expect(AssemblyVectors.spanTypes.count == 3)
        for vector in AssemblyVectors.spanTypes {
            let type = SpanType.infer(
                name: vector["name"] as! String, attributes: vector["attributes"] as! [String: String])
            #expect(type.rawValue == vector["expected_type"] as? String, "\(vector["test"] ?? "")")
        }
    }

    @Test("a span with keys of several families gets the first type of the fixed priority")
    func typePriority() {
        #expect(SpanType.infer(name: "x", attributes: ["db.system": "pg", "http.url": "u"]) == .http)
        #expect(SpanType.infer(name: "x", attributes: ["messaging.system": "k", "rpc.system": "grpc"]) == .rpc)
        #expect(SpanType.infer(name: "x", attributes: ["exception.type": "E"]) == .exception)
        #expect(SpanType.infer(name: "x", attributes: [:]) == .general)
    }

    @Test("metadata: tracetest.span.* attributes, events as JSON, unfinished spans measured to now")
    func metadata() throws {
        let parent = Span(
            id: SpanID(1), name: "GET /", kind: .server, startTimeUnixNano: 1_000, endTimeUnixNano: 26_188_564,
            attributes: ["http.method": "GET", "tracetest.span.name": "overwritten"],
            status: SpanStatus(code: "STATUS_CODE_OK"))
        let child = Span(
            id: SpanID(2), parentID: SpanID(1), name: "work", startTimeUnixNano: 2_000, endTimeUnixNano: 0,
            events: [SpanEvent(name: "e", timeUnixNano: 1_500_000_001, attributes: ["k": "v"])])
        let trace = Trace(traceID: .random(), spans: [child, parent], now: 10_000)
        #expect(trace.root.id == SpanID(1))
        let root = trace.root.attributes
        #expect(root["tracetest.span.name"] == "GET /")
        #expect(root["tracetest.span.type"] == "http")
        #expect(root["tracetest.span.duration"] == "26187564")
        #expect(root["tracetest.span.start_time"] == "1000")
        #expect(root["tracetest.span.end_time"] == "26188564")
        #expect(root["tracetest.span.status_code"] == "STATUS_CODE_OK")
        #expect(root["tracetest.span.status_description"] == nil)
        #expect(root["tracetest.span.parent_id"] == "0000000000000000")
        #expect(root["span.events"] == "[]")
        let work = trace.spans[1].attributes
        #expect(work["tracetest.span.duration"] == "8000")
        #expect(work["tracetest.span.parent_id"] == "0000000000000001")
        #expect(
            work["span.events"]
                == #"[{"name":"e","timestamp":"1970-01-01T00:00:01.500000001Z","attributes":{"k":"v"}}]"#)
    }

    @Test("a 10,000-level parent chain assembles without recursion; a parent cycle still yields one tree")
    func deepAndCyclic() {
        let chain = (1...10_000).map {
            Span(id: SpanID(UInt64($0)), parentID: $0 > 1 ? SpanID(UInt64($0 - 1)) : nil, name: "s\($0)")
        }
        let trace = Trace(traceID: .random(), spans: chain.reversed())
        #expect(trace.count == 10_000)
        #expect(trace.root.name == "s1")
        #expect(trace.spans.last?.name == "s10000")
        #expect(trace.descendants(of: 0).count == 9_999)
        #expect(trace.parents[9_999] == 9_998)

        let cycle = [
            Span(id: SpanID(1), name: "root"),
            Span(id: SpanID(2), parentID: SpanID(3), name: "a"),
            Span(id: SpanID(3), parentID: SpanID(2), name: "b"),
        ]
        let cyclic = Trace(traceID: .random(), spans: cycle)
        #expect(cyclic.count == 3)
        #expect(cyclic.root.name == "root")
        #expect(Set(cyclic.spans.map(\.name)) == ["root", "a", "b"])
    }

    @Test("an explicit tree keeps its order and gets no metadata")
    func explicitTree() {
        let spans = [
            Span(id: SpanID(1), name: "a"), Span(id: SpanID(2), parentID: SpanID(1), name: "b", startTimeUnixNano: 9),
            Span(id: SpanID(3), parentID: SpanID(1), name: "c", startTimeUnixNano: 1),
        ]
        let trace = Trace(traceID: .random(), assembled: spans)
        #expect(trace.spans.map(\.name) == ["a", "b", "c"])
        #expect(trace.children(of: 0) == [1, 2])
        #expect(trace.root.attributes.isEmpty)
    }
}
