import TracetestModel

// JSON scalars as protobuf scalar values: numbers or numeric strings for integers and floats, base64 for bytes.
extension JSONToBinary {
    func scalar(_ type: ScalarType, _ value: JSONValue, path: String) throws(ProtoError) -> EncodedValue {
        switch type {
        case .int32:
            return .varint(UInt64(bitPattern: try integer(value, path: path, type: "int32", range: Self.int32Range)))
        case .sint32:
            let number = Int32(try integer(value, path: path, type: "sint32", range: Self.int32Range))
            return .varint(UInt64(UInt32(bitPattern: (number << 1) ^ (number >> 31))))
        case .sfixed32:
            let number = Int32(try integer(value, path: path, type: "sfixed32", range: Self.int32Range))
            return .fixed32(UInt32(bitPattern: number))
        case .int64:
            return .varint(
                UInt64(bitPattern: try integer(value, path: path, type: "int64", range: Int64.min...Int64.max)))
        case .sint64:
            let number = try integer(value, path: path, type: "sint64", range: Int64.min...Int64.max)
            return .varint(UInt64(bitPattern: (number << 1) ^ (number >> 63)))
        case .sfixed64:
            return .fixed64(
                UInt64(bitPattern: try integer(value, path: path, type: "sfixed64", range: Int64.min...Int64.max)))
        case .uint32:
            return .varint(try unsigned(value, path: path, type: "uint32", maximum: UInt64(UInt32.max)))
        case .fixed32:
            return .fixed32(UInt32(try unsigned(value, path: path, type: "fixed32", maximum: UInt64(UInt32.max))))
        case .uint64:
            return .varint(try unsigned(value, path: path, type: "uint64", maximum: UInt64.max))
        case .fixed64:
            return .fixed64(try unsigned(value, path: path, type: "fixed64", maximum: UInt64.max))
        case .bool:
            guard case .bool(let flag) = value else {
                throw failure(path, "expected true or false, got \(describe(value))")
            }
            return .varint(flag ? 1 : 0)
        case .float:
            return .fixed32(Float(try floating(value, path: path, isFloat: true)).bitPattern)
        case .double:
            return .fixed64(try floating(value, path: path, isFloat: false).bitPattern)
        case .string:
            guard case .string(let text) = value else {
                throw failure(path, "expected a string, got \(describe(value))")
            }
            return .bytes(Array(text.utf8))
        case .bytes:
            guard case .string(let text) = value, let bytes = Base64.decode(text) else {
                throw failure(path, "expected bytes as a base64 string, got \(describe(value))")
            }
            return .bytes(bytes)
        }
    }

    private static let int32Range = Int64(Int32.min)...Int64(Int32.max)

    // A signed integer from a JSON number or a string holding one.
    func integer(_ value: JSONValue, path: String, type: String, range: ClosedRange<Int64>) throws(ProtoError) -> Int64
    {
        let (negative, magnitude, text) = try integerParts(value, path: path, type: type)
        let limit = negative ? UInt64(bitPattern: 0 &- range.lowerBound) : UInt64(range.upperBound)
        guard magnitude <= limit || (magnitude == 0) else {
            throw failure(path, "\(text) is out of range for \(type)")
        }
        if negative {
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(magnitude)
    }

    // An unsigned integer from a JSON number or a string holding one.
    func unsigned(_ value: JSONValue, path: String, type: String, maximum: UInt64) throws(ProtoError) -> UInt64 {
        let (negative, magnitude, text) = try integerParts(value, path: path, type: type)
        guard magnitude == 0 || (!negative && magnitude <= maximum) else {
            throw failure(path, "\(text) is out of range for \(type)")
        }
        return magnitude
    }

    private func integerParts(_ value: JSONValue, path: String, type: String) throws(ProtoError)
        -> (Bool, UInt64, String)
    {
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string
        default: throw failure(path, "expected a number (\(type)), got \(describe(value))")
        }
        switch NumberText.integer(text) {
        case .value(let negative, let magnitude): return (negative, magnitude, text)
        case .invalid: throw failure(path, "expected a number (\(type)), got \(describe(value))")
        case .fractional: throw failure(path, "expected an integer (\(type)), got \(describe(value))")
        case .tooLarge: throw failure(path, "\(describe(value)) is out of range for \(type)")
        }
    }

    // A float or double from a JSON number, a numeric string, or "NaN", "Infinity", "-Infinity".
    private func floating(_ value: JSONValue, path: String, isFloat: Bool) throws(ProtoError) -> Double {
        let type = isFloat ? "float" : "double"
        let text: String
        switch value {
        case .number(let number): text = number
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let string) where NumberText.isNumber(string): text = string
        default: throw failure(path, "expected a number (\(type)), got \(describe(value))")
        }
        if isFloat {
            guard let number = Float(text), number.isFinite else {
                throw failure(path, "\(describe(value)) is out of range for float")
            }
            return Double(number)
        }
        guard let number = Double(text), number.isFinite else {
            throw failure(path, "\(describe(value)) is out of range for double")
        }
        return number
    }
}
