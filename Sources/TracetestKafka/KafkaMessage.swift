/// One Kafka message to produce, with where and how to send it.
package struct KafkaMessage: Sendable {
    /// The bootstrap brokers, each "host:port".
    package var brokers: [String]
    package var topic: String
    package var key: String
    package var value: String
    /// Sent in this order: the user's headers first, then the propagation headers.
    package var headers: [(key: String, value: String)]
    /// TLS with certificate and host name verification (`security.protocol` ssl, or sasl_ssl with `plain`).
    package var tls: Bool
    /// SASL/PLAIN credentials.
    package var plain: (username: String, password: String)?

    /// Creates a message; without `tls` and `plain` it is sent over plaintext without authentication.
    package init(
        brokers: [String], topic: String, key: String, value: String,
        headers: [(key: String, value: String)] = [], tls: Bool = false,
        plain: (username: String, password: String)? = nil
    ) {
        self.brokers = brokers
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.tls = tls
        self.plain = plain
    }
}

/// Where a produced message was stored.
package struct KafkaDelivery: Sendable, Equatable {
    package var partition: Int32
    package var offset: Int64

    /// Creates a delivery report.
    package init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}
