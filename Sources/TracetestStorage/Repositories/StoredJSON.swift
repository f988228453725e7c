import Foundation
import TracetestModel

/// How values are kept in JSON text columns: written in wire form, read back with Foundation's decoder.
enum StoredJSON {
    static func text<T: Encodable>(_ value: T) throws -> String {
        try WireEncoder().encode(value).jsonText
    }

    static func value<T: Decodable>(_ type: T.Type, from text: String, column: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StorageError(.typeMismatch, "column '\(column)' holds JSON that does not read as \(type): \(error)")
        }
    }
}

extension SQLRow {
    /// The JSON text in `column`, decoded.
    func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
        try StoredJSON.value(type, from: try string(column), column: column)
    }

    /// The microseconds in `column` as a timestamp.
    func timestamp(_ column: String) throws -> Timestamp {
        Timestamp(microsecondsSinceEpoch: try int64(column))
    }
}

extension SQLValue {
    init(_ timestamp: Timestamp) {
        self = .integer(timestamp.microsecondsSinceEpoch)
    }
}
