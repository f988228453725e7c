import Foundation
import PostgresNIO

/// Converts result cells to ``SQLValue``s.
enum PostgresValues {
    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil, cell.dataType != .void else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .integer(try cell.decode(Int64.self))
            case .float4, .float8:
                return .real(try cell.decode(Double.self))
            case .numeric:
                let decimal = try cell.decode(Decimal.self)
                return .real(NSDecimalNumber(decimal: decimal).doubleValue)
            case .bool:
                return .bool(try cell.decode(Bool.self))
            case .text, .varchar, .bpchar, .name, .json, .jsonb:
                return .text(try cell.decode(String.self))
            case .bytea:
                return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
            case .uuid:
                return .text(try cell.decode(UUID.self).uuidString.lowercased())
            case .timestamptz, .timestamp, .date:
                let date = try cell.decode(Date.self)
                return .text(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date))
            default:
                throw StorageError(
                    .typeMismatch,
                    "column '\(cell.columnName)' has PostgreSQL type \(cell.dataType), which the storage layer does "
                        + "not read; cast it in the query, e.g. \(cell.columnName)::text")
            }
        } catch let error as PostgresDecodingError {
            throw StorageError(
                .typeMismatch, "cannot read column '\(cell.columnName)' of type \(cell.dataType): \(error.code)")
        }
    }
}
