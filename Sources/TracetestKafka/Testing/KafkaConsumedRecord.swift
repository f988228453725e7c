/// A message read back from Kafka by `KafkaTestConsumer`.
package struct KafkaConsumedRecord: Sendable {
    package var key: String
    package var value: String
    /// In the order they were sent.
    package var headers: [(key: String, value: String)]
    package var partition: Int32
    package var offset: Int64
}
