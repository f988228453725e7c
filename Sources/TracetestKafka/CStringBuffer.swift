// A NUL-terminated text buffer that C code writes into.
struct CStringBuffer {
    private var storage: [CChar]

    init(capacity: Int) {
        storage = [CChar](repeating: 0, count: capacity)
    }

    // Runs `body` with the buffer's address and size.
    mutating func withBuffer<Result>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Result) -> Result {
        let count = storage.count
        return storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("CStringBuffer capacity is positive") }
            return body(base, count)
        }
    }

    // The text up to the first NUL.
    var text: String {
        String(decoding: storage.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

// Runs `body` with a C string of `text`, or NULL.
func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
