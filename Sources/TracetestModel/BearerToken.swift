/// A token that a server requires as `Authorization: Bearer <token>` (API, WebSocket, OTLP receivers).
package struct BearerToken: Sendable {
    private let expected: [UInt8]

    /// nil when `token` is empty: nothing is required.
    package init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        expected = Array(token.utf8)
    }

    /// Whether an `Authorization` value carries the token (`Bearer` in any case); the comparison takes the same time
    /// whatever the value, so its timing says nothing about the token.
    package func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return matches(String(parts[1]).trimmingSpaces)
    }

    /// Whether `candidate` is the token, compared in constant time.
    package func matches(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8)
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
