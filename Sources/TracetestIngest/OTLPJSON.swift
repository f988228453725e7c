import Foundation
import SwiftProtobuf
import TracetestModel
import TracetestOTLP

/// OTLP/JSON: protobuf's JSON mapping, except that trace and span ids are hex strings. A request is read in one pass
/// straight into spans (``JSONParser/read(_:_:)``): no document tree and no protobuf message, so it takes little more
/// memory than its spans. Field names may be lowerCamelCase or the proto names; 64-bit integers and enums may be
/// numbers or strings; unknown fields are ignored, as the OTLP spec asks.
package enum OTLPJSON {
    /// A value of the wrong type or an id that is not hex, with where it is.
    package struct Invalid: Error, CustomStringConvertible {
        package var error: JSONParser.SyntaxError

        package var description: String { "line \(error.line), column \(error.column): \(error.problem)" }
    }

    /// The request's spans as received (see ``OTLPConversion/batch(from:)``).
    package static func batch(from bytes: UnsafeRawBufferPointer) throws -> SpanBatch {
        var builder = OTLPConversion.BatchBuilder()
        guard bytes.contains(where: { !Self.whitespace.contains($0) }) else { return builder.batch }
        do {
            try JSONParser.read(bytes) { json in
                try json.readObject { json, key in
                    guard key == "resourceSpans" || key == "resource_spans" else { return try json.skipValue() }
                    try json.readArray { json, _ in try resourceSpans(&json, into: &builder) }
                }
            }
        } catch let error as JSONParser.SyntaxError {
            throw Invalid(error: error)
        }
        return builder.batch
    }

    static func encode(_ response: ExportResponse) throws -> Data {
        try response.jsonUTF8Data()
    }

    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    private static func resourceSpans(_ json: inout JSONParser, into builder: inout OTLPConversion.BatchBuilder) throws
    {
        var resource: [String: String] = [:]
        var scopes: [(inherited: [String: String], spans: [Pending])] = []
        try json.readObject { json, key in
            switch key {
            case "resource":
                try json.readObject { json, key in
                    if key == "attributes" { resource = try attributes(&json) } else { try json.skipValue() }
                }
            case "scopeSpans", "scope_spans":
                try json.readArray { json, _ in scopes.append(try scopeSpans(&json)) }
            default:
                try json.skipValue()
            }
        }
        builder.add(&scopes, resource: resource)
    }

    private typealias Pending = OTLPConversion.BatchBuilder.PendingSpan

    /// The scope's spans, with what they inherit from the scope.
    private static func scopeSpans(_ json: inout JSONParser) throws -> ([String: String], [Pending]) {
        var scopeName = ""
        var scope: [String: String] = [:]
        var spans: [Pending] = []
        try json.readObject { json, key in
            switch key {
            case "scope":
                try json.readObject { json, key in
                    switch key {
                    case "name": scopeName = try json.readString() ?? ""
                    case "attributes": scope = try attributes(&json)
                    default: try json.skipValue()
                    }
                }
            case "spans":
                try json.readArray { json, _ in spans.append(try span(&json)) }
            default:
                try json.skipValue()
            }
        }
        return (OTLPConversion.inheritedAttributes(scopeName: scopeName, scope: scope, resource: [:]), spans)
    }

    private static func span(_ json: inout JSONParser) throws -> Pending {
        var pending = Pending()
        try json.readObject { json, key in
            switch key {
            case "traceId", "trace_id": pending.traceID = try id(&json, key).flatMap { TraceID(bytes: $0) }
            case "spanId", "span_id": pending.spanID = try id(&json, key).flatMap { SpanID(bytes: $0) }
            case "parentSpanId", "parent_span_id":
                pending.span.parentID = try id(&json, key).flatMap { SpanID(bytes: $0) }.flatMap {
                    $0.isValid ? $0 : nil
                }
            case "name": pending.span.name = try json.readString() ?? ""
            case "kind":
                pending.span.kind = OTLPConversion.kind(
                    OTLPSpan.SpanKind(rawValue: try enumValue(&json, spanKinds)) ?? .unspecified)
            case "startTimeUnixNano", "start_time_unix_nano": pending.span.startTimeUnixNano = try time(&json)
            case "endTimeUnixNano", "end_time_unix_nano": pending.span.endTimeUnixNano = try time(&json)
            case "attributes": pending.span.attributes = try attributes(&json)
            case "events": try json.readArray { json, _ in pending.span.events.append(try event(&json)) }
            case "links":
                try json.readArray { json, _ in
                    if let link = try link(&json) { pending.span.links.append(link) }
                }
            case "status":
                guard try json.nextKind() != .null else { return try json.skipValue() }
                var status = SpanStatus(code: OTLPConversion.statusCode(.unset), message: "")
                try json.readObject { json, key in
                    switch key {
                    case "code":
                        status.code = OTLPConversion.statusCode(
                            .init(rawValue: try enumValue(&json, statusCodes)) ?? .unset)
                    case "message": status.message = try json.readString() ?? ""
                    default: try json.skipValue()
                    }
                }
                pending.span.status = status
            default:
                try json.skipValue()
            }
        }
        return pending
    }

    private static func event(_ json: inout JSONParser) throws -> SpanEvent {
        var event = SpanEvent(name: "", timeUnixNano: 0, attributes: [:])
        try json.readObject { json, key in
            switch key {
            case "name": event.name = try json.readString() ?? ""
            case "timeUnixNano", "time_unix_nano": event.timeUnixNano = try time(&json)
            case "attributes": event.attributes = try attributes(&json)
            default: try json.skipValue()
            }
        }
        return event
    }

    /// The link, nil when an id has the wrong length (as a protobuf request's link is dropped).
    private static func link(_ json: inout JSONParser) throws -> SpanLink? {
        var traceID: TraceID?
        var spanID: SpanID?
        var traceState = ""
        var attributes: [String: String] = [:]
        try json.readObject { json, key in
            switch key {
            case "traceId", "trace_id": traceID = try id(&json, key).flatMap { TraceID(bytes: $0) }
            case "spanId", "span_id": spanID = try id(&json, key).flatMap { SpanID(bytes: $0) }
            case "traceState", "trace_state": traceState = try json.readString() ?? ""
            case "attributes": attributes = try Self.attributes(&json)
            default: try json.skipValue()
            }
        }
        guard let traceID, let spanID else { return nil }
        return SpanLink(traceID: traceID, spanID: spanID, traceState: traceState, attributes: attributes)
    }

    /// `[{"key": …, "value": AnyValue}, …]`, each value as text (``OTLPConversion/text(_:)``).
    static func attributes(_ json: inout JSONParser) throws -> [String: String] {
        var result: [String: String] = [:]
        // Sized once, to the count (growing a dictionary of a million attributes would hold the old and the new
        // table at once); no more, as a buffered span keeps its table for minutes.
        result.reserveCapacity(try json.arrayCount())
        try json.readArray { json, _ in
            var key = ""
            var value = ""
            try json.readObject { json, field in
                switch field {
                case "key": key = try json.readString() ?? ""
                case "value": value = try text(&json)
                default: try json.skipValue()
                }
            }
            result[key] = value
        }
        return result
    }

    /// An AnyValue as text, as ``OTLPConversion/text(_:)`` writes the same value received as protobuf.
    private static func text(_ json: inout JSONParser) throws -> String {
        var text = ""
        try json.readObject { json, key in
            switch key {
            case "stringValue", "string_value": text = try json.readString() ?? ""
            case "arrayValue", "array_value", "kvlistValue", "kvlist_value":
                let at = json
                let tree = try json.readValue()
                let isArray = key.hasPrefix("array")
                text = try anyValue(.object([JSONField(key: isArray ? "arrayValue" : "kvlistValue", value: tree)]), at)
                    .jsonText
            default:
                let at = json
                switch try scalar(key, try json.readScalar(), at) {
                case .string(let string): text = string
                case .integer(let integer): text = String(integer)
                case .bool(let bool): text = bool ? "true" : "false"
                case .double(let double): text = double.shortestText
                default: break
                }
            }
        }
        return text
    }

    /// An AnyValue read whole (inside an array or map) as the JSON it is written as.
    private static func anyValue(_ value: JSONValue, _ at: JSONParser) throws -> WireValue {
        guard case .object(let fields) = value else { return .null }
        var result = WireValue.null
        for field in fields {
            switch field.key {
            case "arrayValue", "array_value":
                var values: [WireValue] = []
                if case .array(let items) = field.value["values"] ?? .null {
                    values = try items.map { try anyValue($0, at) }
                }
                result = .array(values)
            case "kvlistValue", "kvlist_value":
                var pairs: [(String, WireValue)] = []
                if case .array(let items) = field.value["values"] ?? .null {
                    pairs = try items.map { ($0["key"]?.plainText ?? "", try anyValue($0["value"] ?? .null, at)) }
                }
                result = .object(.init(pairs, uniquingKeysWith: { $1 }))
            default:
                if let scalar = try scalar(field.key, field.value, at) { result = scalar }
            }
        }
        return result
    }

    /// A scalar AnyValue field (`stringValue`, `intValue`, …) as JSON; nil for an unknown field or null.
    private static func scalar(_ key: String, _ value: JSONValue, _ at: JSONParser) throws -> WireValue? {
        if case .null = value { return nil }
        func invalid(_ expected: String) -> Invalid {
            Invalid(error: at.error("\(key): expected \(expected), found \(value.jsonText.prefix(40))"))
        }
        switch key {
        case "stringValue", "string_value":
            guard case .string(let text) = value else { throw invalid("a string") }
            return .string(text)
        case "boolValue", "bool_value":
            guard case .bool(let bool) = value else { throw invalid("true or false") }
            return .bool(bool)
        case "intValue", "int_value":
            guard let integer = integer(value) else { throw invalid("an integer") }
            return .integer(integer)
        case "doubleValue", "double_value":
            guard let double = double(value) else { throw invalid("a number") }
            return double.isFinite ? .double(double) : .string(double.shortestText)
        case "bytesValue", "bytes_value":
            guard case .string(let text) = value, let bytes = base64(text) else { throw invalid("base64 text") }
            return .string(bytes.base64EncodedString())
        default:
            return nil
        }
    }

    /// A 64-bit integer as protobuf JSON writes it: a number or a string of one.
    private static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let text), .string(let text): Int64(text) ?? Double(text).flatMap { Int64(exactly: $0) }
        default: nil
        }
    }

    private static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let text): Double(text)
        case .string("NaN"): .nan
        case .string("Infinity"): .infinity
        case .string("-Infinity"): -.infinity
        case .string(let text): Double(text)
        default: nil
        }
    }

    /// Standard or URL-safe base64, padded or not.
    private static func base64(_ text: String) -> Data? {
        var normalized = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        normalized += String(repeating: "=", count: (4 - normalized.utf8.count % 4) % 4)
        return Data(base64Encoded: normalized)
    }

    /// Unix nanoseconds (fixed64: a number or a string of one).
    private static func time(_ json: inout JSONParser) throws -> Int64 {
        let at = json
        let value = try json.readScalar()
        if case .null = value { return 0 }
        switch value {
        case .number(let text), .string(let text):
            if let nanoseconds = UInt64(text) { return Int64(clamping: nanoseconds) }
            if let double = Double(text), double >= 0, double.rounded() == double {
                return Int64(clamping: UInt64(exactly: double.rounded()) ?? UInt64.max)
            }
        default: break
        }
        throw Invalid(error: at.error("expected a time in Unix nanoseconds, found \(value.jsonText.prefix(40))"))
    }

    private static let spanKinds = [
        "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
        "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
    ]
    private static let statusCodes = ["STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2]

    /// An enum as its name or number; an unknown name reads as 0 (unset).
    private static func enumValue(_ json: inout JSONParser, _ names: [String: Int]) throws -> Int {
        let at = json
        switch try json.readScalar() {
        case .null: return 0
        case .string(let name): return names[name] ?? 0
        case .number(let text) where Int(text) != nil: return Int(text) ?? 0
        case let other:
            throw Invalid(error: at.error("expected an enum name or number, found \(other.jsonText.prefix(40))"))
        }
    }

    /// A hex id's bytes; a wrong length is left for the caller to reject, text that is not hex is an error.
    private static func id(_ json: inout JSONParser, _ field: String) throws -> [UInt8]? {
        let at = json
        guard let hex = try json.readString() else { return nil }
        if hex.isEmpty { return [] }
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else {
            throw Invalid(error: at.error("\(field): \"\(hex.prefix(64))\" has an odd number of hex digits"))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                throw Invalid(error: at.error("\(field): \"\(hex.prefix(64))\" is not hexadecimal"))
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
