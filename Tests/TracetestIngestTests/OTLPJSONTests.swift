import Foundation
import SwiftProtobuf
import Testing
import TracetestIngest
import TracetestModel

@Suite("OTLP/JSON decoding")
struct OTLPJSONTests {
    /// A request with every kind of value, events, links, statuses, flags and dropped counts, over two resources.
    func richRequest() -> ExportRequest {
        let traceID = TraceID(hex: "5b8efff798038103d269b633813fc60c")!
        var values = OTLPAnyValue()
        values.kvlistValue.values = [
            keyValue("int", .string("x")),
            {
                var kv = OTLPKeyValue(); kv.key = "n"; kv.value.intValue = -9_223_372_036_854_775_807; return kv
            }(),
            {
                var kv = OTLPKeyValue(); kv.key = "b"; kv.value.bytesValue = Data([0, 255, 7]); return kv
            }(),
            {
                var kv = OTLPKeyValue(); kv.key = "t"; kv.value.boolValue = true; return kv
            }(),
        ]
        var map = OTLPKeyValue()
        map.key = "map"
        map.value = values
        var integer = OTLPKeyValue()
        integer.key = "http.status_code"
        integer.value.intValue = 200
        var big = OTLPKeyValue()
        big.key = "big"
        big.value.intValue = Int64.max
        var flag = OTLPKeyValue()
        flag.key = "flag"
        flag.value.boolValue = false
        var bytes = OTLPKeyValue()
        bytes.key = "bytes"
        bytes.value.bytesValue = Data("hello".utf8)
        var root = otlpSpan(
            traceID, 0xA1, name: "root", kind: .server,
            attributes: [
                map, integer, big, flag, bytes, keyValue("pi", .double(3.25)), keyValue("nan", .double(.nan)),
                keyValue("list", .array([.string("a"), .double(-.infinity), .array([.strindex(2)])])),
                keyValue("", .string("empty key")),
            ])
        root.status.code = .error
        root.status.message = "boom"
        root.flags = 0x101
        root.droppedAttributesCount = 3
        root.traceState = "vendor=1"
        var event = OTLPSpan.Event()
        event.name = "exception"
        event.timeUnixNano = 1_700_000_000_100_000_000
        event.attributes = [keyValue("exception.message", .string("bad"))]
        root.events = [event]
        var link = OTLPSpan.Link()
        link.traceID = Data(TraceID.random().bytes)
        link.spanID = Data(SpanID(0xC1).bytes)
        link.traceState = "a=b"
        link.attributes = [keyValue("link.kind", .string("follows"))]
        var shortLink = link
        shortLink.spanID = Data([1, 2])
        root.links = [link, shortLink]
        var child = otlpSpan(traceID, 0xA2, name: "child", parent: 0xA1, kind: .client)
        child.status.code = .ok
        var noTrace = otlpSpan(traceID, 0xA3, name: "rejected")
        noTrace.traceID = Data([1, 2, 3])
        var zeroSpan = otlpSpan(traceID, 0xA4, name: "zero span id")
        zeroSpan.spanID = Data(repeating: 0, count: 8)
        var first = exportRequest(
            resource: ["service.name": "shop", "host": "h1"],
            [
                scopeSpans("scope.a", attributes: [keyValue("scope.attr", .string("s"))], [root, child]),
                scopeSpans("", [noTrace, zeroSpan]),
            ])
        let other = exportRequest([scopeSpans("scope.b", [otlpSpan(TraceID.random(), 0xB1, name: "other")])])
        first.resourceSpans += other.resourceSpans
        return first
    }

    /// The request in protobuf's JSON mapping with hex ids, written by `write` from the document tree.
    func json(_ request: ExportRequest, options: JSONEncodingOptions, reversed: Bool = false) throws -> [UInt8] {
        let document = try #require(JSONParser.parse(try request.jsonString(options: options)))
        return Array(hexIDs(document, reversed: reversed).jsonText.utf8)
    }

    /// Ids as hex, every object's fields in reverse order when `reversed` (the resource after its spans, …).
    func hexIDs(_ value: JSONValue, reversed: Bool) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { hexIDs($0, reversed: reversed) })
        case .object(let fields):
            let converted = fields.map { field -> JSONField in
                let idFields = ["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"]
                if idFields.contains(field.key), case .string(let base64) = field.value {
                    let hex = Data(base64Encoded: base64)!.map { String(format: "%02x", $0) }.joined()
                    return JSONField(key: field.key, value: .string(hex))
                }
                return JSONField(key: field.key, value: hexIDs(field.value, reversed: reversed))
            }
            return .object(reversed ? converted.reversed() : converted)
        default: return value
        }
    }

    func expectSame(_ decoded: SpanBatch, _ expected: SpanBatch) {
        #expect(decoded.traces.map(\.traceID) == expected.traces.map(\.traceID))
        for (got, want) in zip(decoded.traces, expected.traces) {
            #expect(got.spans == want.spans)
        }
        #expect(decoded.rejectedSpans == expected.rejectedSpans && decoded.rejectedSpans == 2)
        #expect(decoded.rejectionReason == expected.rejectionReason)
    }

    @Test(
        "a request reads as the same spans as its protobuf encoding, whatever the field names, enum style and order",
        arguments: [(false, false, false), (true, false, false), (false, true, false), (false, false, true)])
    func sameAsProtobuf(protoNames: Bool, enumsAsInts: Bool, reversed: Bool) throws {
        let request = richRequest()
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = protoNames
        options.alwaysPrintEnumsAsInts = enumsAsInts
        let text = try json(request, options: options, reversed: reversed)
        let decoded = try text.withUnsafeBytes { try OTLPJSON.batch(from: $0) }
        expectSame(decoded, OTLPConversion.batch(from: request))
        let root = try #require(decoded.traces.first?.spans.first)
        #expect(root.attributes["map"] == #"{"int":"x","n":-9223372036854775807,"b":"AP8H","t":true}"#)
        #expect(root.attributes["big"] == "9223372036854775807" && root.attributes["bytes"] == "aGVsbG8=")
        #expect(root.links.count == 1, "a link with a 2-byte span id is dropped")
    }

    @Test("numbers may be written as numbers or strings, ids in upper case; unknown fields and nulls are ignored")
    func lenientForms() throws {
        let text = #"""
            {"resourceSpans": [{"schemaUrl": "x", "resource": null, "scopeSpans": [{"scope": {"name": "s",
              "unknown": {"deep": [1, {"a": null}]}}, "spans": [{"traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "00000000000000A1", "parentSpanId": "", "name": "n", "kind": 3, "startTimeUnixNano": 1000,
              "endTimeUnixNano": "2000", "status": null, "events": null, "attributes": [
                {"key": "i", "value": {"intValue": 7}}, {"value": {"doubleValue": "Infinity"}, "key": "d"},
                {"key": "u", "value": {}}, {"key": "s", "value": {"stringValue": null}}]}]}]}],
             "extra": true}
            """#
        let batch = try Array(text.utf8).withUnsafeBytes { try OTLPJSON.batch(from: $0) }
        let span = try #require(batch.traces.first?.spans.first)
        #expect(span.id == SpanID(0xA1) && span.parentID == nil && span.kind == .client && span.status == nil)
        #expect(span.startTimeUnixNano == 1000 && span.endTimeUnixNano == 2000)
        #expect(span.attributes["i"] == "7" && span.attributes["d"] == "+Inf")
        #expect(span.attributes["u"] == "" && span.attributes["s"] == "")
        #expect(span.attributes["service.name"] == "s")
    }

    @Test(
        "ids that are not hex and values of the wrong type are errors that say where",
        arguments: [
            (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz1"}]}]}]}"#, "traceId", 55),
            (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abc"}]}]}]}"#, "odd number", 54),
            (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}"#, "expected a string", 52),
            (
                #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":"x"}}]}]}]}]}"#,
                "intValue: expected an integer", 90
            ),
            (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":true}]}]}]}"#, "enum", 52),
            (#"{"resourceSpans":{}}"#, "expected an array", 18),
        ])
    func invalid(text: String, problem: String, column: Int) throws {
        do {
            _ = try Array(text.utf8).withUnsafeBytes { try OTLPJSON.batch(from: $0) }
            Issue.record("no error for \(text)")
        } catch let error as OTLPJSON.Invalid {
            #expect(error.description.contains(problem), "\(error)")
            #expect(error.error.line == 1 && error.error.column == column, "\(error)")
        }
    }
}
