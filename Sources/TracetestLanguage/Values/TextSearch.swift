extension String {
    // Whether `other` occurs in this text, comparing UTF-8 bytes (as Tracetest does; no Unicode normalisation).
    func containsBytes(of other: String) -> Bool {
        var haystack = self
        var needle = other
        return haystack.withUTF8 { text in
            needle.withUTF8 { pattern in
                guard let first = pattern.first else { return true }
                guard pattern.count <= text.count else { return false }
                var start = 0
                let last = text.count - pattern.count
                while start <= last {
                    if text[start] == first && bytesMatch(text, start, pattern) { return true }
                    start += 1
                }
                return false
            }
        }
    }
}

private func bytesMatch(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ pattern: UnsafeBufferPointer<UInt8>) -> Bool
{
    for offset in 1..<pattern.count where text[start + offset] != pattern[offset] { return false }
    return true
}
