import Foundation
import ServerTestSupport
import SwiftProtobuf
import TestSupport
import TracetestIngest
import TracetestModel
import TracetestOTLP

typealias OTLPResourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans
typealias OTLPScopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans
typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span
typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue
typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue

/// An export request of one resource holding `scopes`; the resource has `resource` attributes (string values).
func exportRequest(resource: [String: String] = [:], _ scopes: [OTLPScopeSpans]) -> ExportRequest {
    var resourceSpans = OTLPResourceSpans()
    resourceSpans.resource.attributes = resource.sorted { $0.key < $1.key }.map { keyValue($0.key, .string($0.value)) }
    resourceSpans.scopeSpans = scopes
    var request = ExportRequest()
    request.resourceSpans = [resourceSpans]
    return request
}

/// Spans of one instrumentation scope.
func scopeSpans(_ name: String, attributes: [OTLPKeyValue] = [], _ spans: [OTLPSpan]) -> OTLPScopeSpans {
    var scope = OTLPScopeSpans()
    scope.scope.name = name
    scope.scope.attributes = attributes
    scope.spans = spans
    return scope
}

/// A span of `traceID` with id `spanID`, lasting 250 ms from 2023-11-14T22:13:20Z.
func otlpSpan(
    _ traceID: TraceID, _ spanID: UInt64, name: String, parent: UInt64? = nil,
    kind: OTLPSpan.SpanKind = .internal, attributes: [OTLPKeyValue] = []
) -> OTLPSpan {
    var span = OTLPSpan()
    span.traceID = Data(traceID.bytes)
    span.spanID = Data(SpanID(spanID).bytes)
    if let parent { span.parentSpanID = Data(SpanID(parent).bytes) }
    span.name = name
    span.kind = kind
    span.startTimeUnixNano = 1_700_000_000_000_000_000
    span.endTimeUnixNano = 1_700_000_000_250_000_000
    span.attributes = attributes
    return span
}

enum AttributeValue {
    case string(String), double(Double), strindex(Int32), array([AttributeValue])
}

func keyValue(_ key: String, _ value: AttributeValue) -> OTLPKeyValue {
    var keyValue = OTLPKeyValue()
    keyValue.key = key
    keyValue.value = anyValue(value)
    return keyValue
}

func anyValue(_ value: AttributeValue) -> OTLPAnyValue {
    var any = OTLPAnyValue()
    switch value {
    case .string(let string): any.stringValue = string
    case .double(let double): any.doubleValue = double
    case .strindex(let index): any.stringValueStrindex = index
    case .array(let values): any.arrayValue.values = values.map(anyValue)
    }
    return any
}

/// A valid request with one span (id `b1`) of `traceID`, padded with a `padding`-byte string attribute.
func paddedRequest(_ traceID: TraceID, padding: Int) -> ExportRequest {
    let pad = keyValue("padding", .string(String(repeating: "x", count: padding)))
    return exportRequest([scopeSpans("padded", [otlpSpan(traceID, 0xB1, name: "padded", attributes: [pad])])])
}

/// The request as the `transport` sends it: protobuf bytes, or OTLP/JSON for `http-json` (protobuf's JSON mapping
/// with hex ids and enums as numbers, as OTLP/JSON writes them).
func encoded(_ request: ExportRequest, for transport: String) throws -> Data {
    guard transport == "http-json" else { return try request.serializedBytes() }
    var options = JSONEncodingOptions()
    options.alwaysPrintEnumsAsInts = true
    var document = try JSONSerialization.jsonObject(with: try request.jsonUTF8Data(options: options))
    hexIDs(&document)
    return try JSONSerialization.data(withJSONObject: document)
}

private func hexIDs(_ value: inout Any) {
    if var object = value as? [String: Any] {
        for (key, child) in object {
            if ["traceId", "spanId", "parentSpanId"].contains(key), let base64 = child as? String {
                object[key] = Data(base64Encoded: base64)!.map { String(format: "%02x", $0) }.joined()
            } else {
                var child = child
                hexIDs(&child)
                object[key] = child
            }
        }
        value = object
    } else if var array = value as? [Any] {
        for index in array.indices { hexIDs(&array[index]) }
        value = array
    }
}

/// Sends `request` over `transport` (`grpc`, `http-protobuf`, `http-json`) with the Python client's byte mode.
func send(_ request: ExportRequest, _ api: TestAPI, _ transport: String) async throws -> [String: Any] {
    try await sendBytes(api, transport, try encoded(request, for: transport))
}

/// Whether an answer of the Python client is a success on either transport.
func succeeded(_ answer: [String: Any]) -> Bool {
    answer["status"] as? String == "OK" || answer["status"] as? Int == 200
}
