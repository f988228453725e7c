/// Why a Kafka call failed, worded for the user who configured the trigger.
package struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    package enum Kind: Sendable, Equatable {
        /// librdkafka is not installed on the server.
        case libraryMissing
        /// The installed librdkafka is too old.
        case libraryIncompatible
        /// A setting was refused, or the client could not be created from the settings.
        case invalidConfiguration
        /// No delivery within the timeout, typically unreachable brokers.
        case timedOut
        /// The brokers refused the message, or authentication failed.
        case deliveryFailed
        /// The calling task was cancelled.
        case cancelled
    }

    /// The kind of failure.
    package var kind: Kind
    /// The full message, naming the brokers where that helps.
    package var message: String

    /// Creates an error.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

extension KafkaError {
    static let installHint = "install librdkafka1 (Debian/Ubuntu: apt-get install librdkafka1)"

    static let libraryMissing = KafkaError(
        .libraryMissing, "the Kafka trigger needs librdkafka, which is not installed on the server: \(installHint)")

    static func libraryIncompatible(missingFunction: String) -> KafkaError {
        KafkaError(
            .libraryIncompatible,
            "the Kafka trigger needs a newer librdkafka: the installed one lacks \(missingFunction); "
                + "install a newer librdkafka1 (Debian/Ubuntu: apt-get install librdkafka1)")
    }

    static func invalidSetting(_ setting: String, brokers: String, reason: String) -> KafkaError {
        KafkaError(.invalidConfiguration, "invalid Kafka setting \(setting) for brokers \(brokers): \(reason)")
    }

    static func timedOut(topic: String, brokers: String, timeout: Duration, reason: String) -> KafkaError {
        KafkaError(
            .timedOut,
            "could not deliver to topic \(topic) on brokers \(brokers) within \(timeout.kafkaText): \(reason)")
    }

    static func deliveryFailed(topic: String, brokers: String, reason: String) -> KafkaError {
        KafkaError(.deliveryFailed, "could not deliver to topic \(topic) on brokers \(brokers): \(reason)")
    }

    static func cancelled(topic: String, brokers: String) -> KafkaError {
        KafkaError(.cancelled, "delivery to topic \(topic) on brokers \(brokers) was cancelled")
    }
}
