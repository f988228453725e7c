// The wire types of the protobuf binary format.
enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

// Appends protobuf binary encoding.
struct WireWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func tag(_ number: Int32, _ wireType: WireType) {
        varint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wireType.rawValue))
    }

    mutating func fixed32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func fixed64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func lengthDelimited(_ payload: [UInt8]) {
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }
}

// Reads protobuf binary encoding from a range of a byte array.
struct WireReader {
    static let maximumGroupNesting = 100

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    func malformed(_ reason: String, at offset: Int? = nil) -> ProtoError {
        ProtoError("response is not valid protobuf: \(reason) at byte offset \(offset ?? position)")
    }

    mutating func varint() throws(ProtoError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw malformed("truncated varint", at: start) }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw malformed("varint longer than 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func fixed32() throws(ProtoError) -> UInt32 {
        guard end - position >= 4 else { throw malformed("truncated 32-bit value") }
        var value: UInt32 = 0
        for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << UInt32(offset * 8) }
        position += 4
        return value
    }

    mutating func fixed64() throws(ProtoError) -> UInt64 {
        guard end - position >= 8 else { throw malformed("truncated 64-bit value") }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << UInt64(offset * 8) }
        position += 8
        return value
    }

    // The payload of a length-delimited value.
    mutating func lengthDelimited() throws(ProtoError) -> Range<Int> {
        let start = position
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw malformed("length \(length) runs past the end of the data (\(end - position) bytes left)", at: start)
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    // A field number and raw wire type.
    mutating func tag() throws(ProtoError) -> (number: Int32, wireType: UInt8) {
        let start = position
        let key = try varint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else { throw malformed("invalid field number \(number)", at: start) }
        return (Int32(number), UInt8(key & 7))
    }

    // The value of a field of `wireType`, of whatever kind, skipped.
    mutating func skip(wireType: UInt8, number: Int32) throws(ProtoError) {
        switch wireType {
        case WireType.varint.rawValue: _ = try varint()
        case WireType.fixed64.rawValue: _ = try fixed64()
        case WireType.lengthDelimited.rawValue: _ = try lengthDelimited()
        case WireType.fixed32.rawValue: _ = try fixed32()
        case WireType.startGroup.rawValue: try skipGroup(number)
        case WireType.endGroup.rawValue: throw malformed("end-group tag of field \(number) without a start")
        default: throw malformed("invalid wire type \(wireType)")
        }
    }

    private mutating func skipGroup(_ number: Int32) throws(ProtoError) {
        var open: [Int32] = [number]
        while let innermost = open.last {
            guard !isAtEnd else { throw malformed("group of field \(innermost) is not closed") }
            let start = position
            let (inner, wireType) = try tag()
            if wireType == WireType.startGroup.rawValue {
                open.append(inner)
                guard open.count <= WireReader.maximumGroupNesting else {
                    throw malformed("groups nested more than \(WireReader.maximumGroupNesting) levels deep", at: start)
                }
            } else if wireType == WireType.endGroup.rawValue {
                guard inner == innermost else {
                    throw malformed("end-group tag of field \(inner) closes the group of field \(innermost)", at: start)
                }
                open.removeLast()
            } else {
                try skip(wireType: wireType, number: inner)
            }
        }
    }
}
