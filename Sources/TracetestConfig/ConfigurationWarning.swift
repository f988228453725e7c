/// Something in the configuration that is ignored; start-up goes on.
public struct ConfigurationWarning: Sendable, Equatable, CustomStringConvertible {
    public var source: ConfigurationSource?
    public var message: String

    public init(source: ConfigurationSource?, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String {
        source.map { "\($0): \(message)" } ?? message
    }
}
