/// The `otlpServer` section: the built-in OTLP receiver that stores the spans tests are checked against.
public struct OTLPServerSettings: Sendable, Equatable {
    public var enabled: Bool
    public var host: String
    public var grpcPort: Int
    public var httpPort: Int
    /// Largest accepted request body; bigger requests get 413 / `RESOURCE_EXHAUSTED`.
    public var maxMessageBytes: Int

    public init(
        enabled: Bool = true,
        host: String = "0.0.0.0",
        grpcPort: Int = 4317,
        httpPort: Int = 4318,
        maxMessageBytes: Int = 64 * 1024 * 1024
    ) {
        self.enabled = enabled
        self.host = host
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.maxMessageBytes = maxMessageBytes
    }
}
