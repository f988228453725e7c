import TracetestModel

/// The `otlpServer` section: the built-in OTLP receiver that stores the spans tests are checked against.
public struct OTLPServerSettings: Sendable, Equatable {
    public var enabled: Bool
    public var host: String
    public var grpcPort: Int
    public var httpPort: Int
    /// Largest accepted request body; bigger requests get 413 / `RESOURCE_EXHAUSTED`.
    public var maxMessageBytes: Int
    public var recentTraces: RecentTracesSettings

    public init(
        enabled: Bool = true,
        host: String = "0.0.0.0",
        grpcPort: Int = 4317,
        httpPort: Int = 4318,
        maxMessageBytes: Int = 64 * 1024 * 1024,
        recentTraces: RecentTracesSettings = RecentTracesSettings()
    ) {
        self.enabled = enabled
        self.host = host
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.maxMessageBytes = maxMessageBytes
        self.recentTraces = recentTraces
    }
}

/// `otlpServer.recentTraces`: spans of traces no run waits for yet are kept in memory this long, up to this many,
/// so a run created a moment after its spans arrived still finds them.
public struct RecentTracesSettings: Sendable, Equatable {
    public var maxSpans: Int
    public var maxAge: GoDuration

    public init(maxSpans: Int = 200_000, maxAge: GoDuration = .seconds(300)) {
        self.maxSpans = maxSpans
        self.maxAge = maxAge
    }
}
