import Foundation
import Testing

@testable import TracetestAnalyzer

@Suite("Attribute key pattern")
struct KeyPatternTests {
    /// The rule's pattern, as a regular expression, for comparison.
    static let pattern = try! NSRegularExpression(pattern: #"^([a-z0-9_]+\.)+[a-z0-9_]+$"#)

    static func reference(_ key: String) -> Int? {
        let range = NSRange(key.startIndex..., in: key)
        guard pattern.firstMatch(in: key, range: range) != nil else { return nil }
        return key.utf8.count - 1 - key.utf8.reversed().firstIndex(of: UInt8(ascii: "."))!
    }

    @Test("the eight-bytes-at-a-time check agrees with the regular expression")
    func agreesWithRegex() {
        let alphabet: [String] = [
            "a", "z", "q", "0", "9", "_", ".", ".", "A", "Z", "-", "/", "`", "{", "é", " ", "@", ":",
        ]
        var generator = SystemRandomNumberGenerator()
        var keys = [
            "", ".", "a", "a.", ".a", "a.b", "a..b", "ab.cd.ef.gh.ij", "abcdefg.h", "abcdefgh.i", "abcdefghi.j",
            "a.bcdefgh", "a.bcdefghi", "abcdefgh.ijklmnop.", "abcdefgh.ijklmnop.q", "abcdefg..hijkl", "http.request-id",
            "tracetest.span.start_time", "HTTP.method", "x.y\u{0}", "\u{7f}.a",
        ]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            keys.append((0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined())
        }
        for key in keys {
            #expect(AttributeNaming.namespaceLength(key) == Self.reference(key), "\(key)")
        }
    }
}
