/// Something in the configuration that is ignored; start-up goes on.
package struct ConfigurationWarning: Sendable, Equatable, CustomStringConvertible {
    package var source: ConfigurationSource?
    package var message: String

    package init(source: ConfigurationSource?, message: String) {
        self.source = source
        self.message = message
    }

    package var description: String {
        source.map { "\($0): \(message)" } ?? message
    }
}
