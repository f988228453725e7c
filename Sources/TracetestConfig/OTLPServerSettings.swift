import TracetestModel

/// The `otlpServer` section: the built-in OTLP receiver that stores the spans tests are checked against.
package struct OTLPServerSettings: Sendable, Equatable {
    package var enabled: Bool
    package var host: String
    package var grpcPort: Int
    package var httpPort: Int
    /// Largest accepted request body; bigger requests get 413 / `RESOURCE_EXHAUSTED`.
    package var maxMessageBytes: Int
    package var recentTraces: RecentTracesSettings
    /// `otlpServer.auth.token`: when set, both receivers require `Authorization: Bearer <token>` (gRPC metadata or
    /// HTTP header).
    package var authToken: String

    package init(
        enabled: Bool = true,
        host: String = "0.0.0.0",
        grpcPort: Int = 4317,
        httpPort: Int = 4318,
        maxMessageBytes: Int = 64 * 1024 * 1024,
        recentTraces: RecentTracesSettings = RecentTracesSettings(),
        authToken: String = ""
    ) {
        self.authToken = authToken
        self.enabled = enabled
        self.host = host
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.maxMessageBytes = maxMessageBytes
        self.recentTraces = recentTraces
    }
}

/// `otlpServer.recentTraces`: spans of traces no run waits for yet are kept in memory this long, up to this many and
/// this many bytes, so a run created a moment after its spans arrived still finds them.
package struct RecentTracesSettings: Sendable, Equatable {
    package var maxSpans: Int
    /// Roughly how much memory the buffered spans may take (their texts plus a fixed cost per span and attribute).
    package var maxBytes: Int
    package var maxAge: GoDuration

    package init(maxSpans: Int = 200_000, maxBytes: Int = 256 << 20, maxAge: GoDuration = .seconds(300)) {
        self.maxSpans = maxSpans
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }
}
