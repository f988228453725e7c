import Foundation
import SwiftProtobuf
import TracetestOTLP

/// OTLP/JSON: protobuf's JSON mapping, except that trace and span ids are hex strings (protobuf JSON would read
/// them as base64), so ids are rewritten before decoding. Unknown fields are ignored, as the OTLP spec asks.
enum OTLPJSON {
    struct InvalidID: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ data: Data) throws -> ExportRequest {
        guard !data.isEmpty else { return ExportRequest() }
        var document = try JSONSerialization.jsonObject(with: data)
        try rewriteIDs(in: &document, path: "")
        let rewritten = try JSONSerialization.data(withJSONObject: document)
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return try ExportRequest(jsonUTF8Data: rewritten, options: options)
    }

    static func encode(_ response: ExportResponse) throws -> Data {
        try response.jsonUTF8Data()
    }

    private static let idFields: Set<String> = [
        "traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id",
    ]

    /// Walks the document and turns every hex id field into base64.
    private static func rewriteIDs(in value: inout Any, path: String) throws {
        if var object = value as? [String: Any] {
            for (key, child) in object {
                if idFields.contains(key), let hex = child as? String {
                    object[key] = try base64(hex: hex, field: path.isEmpty ? key : "\(path).\(key)")
                } else {
                    var child = child
                    try rewriteIDs(in: &child, path: path.isEmpty ? key : "\(path).\(key)")
                    object[key] = child
                }
            }
            value = object
        } else if var array = value as? [Any] {
            for index in array.indices { try rewriteIDs(in: &array[index], path: "\(path)[\(index)]") }
            value = array
        }
    }

    private static func base64(hex: String, field: String) throws -> String {
        if hex.isEmpty { return "" }
        let digits = Array(hex.utf8)
        // A wrong length decodes to an id the conversion rejects per span (partial success); non-hex text is an error.
        guard digits.count % 2 == 0 else {
            throw InvalidID(description: "\(field): \"\(hex)\" has an odd number of hex digits")
        }
        var data = Data(capacity: digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else {
                throw InvalidID(description: "\(field): \"\(hex)\" is not hexadecimal")
            }
            data.append(high << 4 | low)
        }
        return data.base64EncodedString()
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
