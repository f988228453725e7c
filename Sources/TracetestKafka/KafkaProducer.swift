/// Produces Kafka messages through librdkafka, which is loaded when first needed.
package enum KafkaProducer {
    /// Produces one message with acks=all and up to 5 retries, and waits for its delivery report.
    ///
    /// `timeout` bounds the delivery (librdkafka's message.timeout.ms) and the socket timeouts. The blocking
    /// librdkafka calls run on a thread of their own; cancelling the task makes the call give up within about 50 ms
    /// plus the time to drop the message from librdkafka's queues.
    package static func produce(
        _ message: KafkaMessage, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> KafkaDelivery {
        try await produce(message, timeout: timeout, libraryName: nil)
    }

    // As `produce(_:timeout:)`, loading librdkafka from `libraryName` (nil: the default names).
    static func produce(
        _ message: KafkaMessage, timeout: Duration, libraryName: String?
    ) async throws(KafkaError) -> KafkaDelivery {
        let call = try ProduceCall(message: message, timeout: timeout, libraryName: libraryName)
        let flag = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await DedicatedThread.run(named: "tracetest-kafka-produce") { call.run(cancellation: flag) }
        } onCancel: {
            flag.raise()
        }
        return try result.get()
    }
}
