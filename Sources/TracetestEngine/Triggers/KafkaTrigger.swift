import TracetestKafka
import TracetestModel

/// Kafka triggers (engine-telemetry.md §1.6): one message to `topic` with the user's headers and then the trace
/// context headers, acks from all in-sync replicas, retried, within 30 s; TLS with `sslVerification`, SASL/PLAIN
/// with `authentication.plain`. The result is where the message was stored.
struct KafkaTrigger: Sendable {
    static let timeout = Duration.seconds(30)

    func fire(_ request: KafkaRequest, traceID: TraceID, spanID: SpanID) async -> TriggerResult {
        let brokers = request.brokerUrls.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let plain = request.authentication?.plain.map { ($0.username ?? "", $0.password ?? "") }
        let message = KafkaMessage(
            brokers: brokers, topic: request.topic, key: request.messageKey, value: request.messageValue,
            headers: (request.headers + Propagation.headers(traceID: traceID, spanID: spanID)).map {
                ($0.key, $0.value)
            },
            tls: request.sslVerification, plain: plain)
        do {
            let delivery = try await KafkaProducer.produce(message, timeout: Self.timeout)
            return TriggerResult(
                type: "kafka", kafka: .init(partition: String(delivery.partition), offset: String(delivery.offset)))
        } catch {
            let unreachable = error.kind == .timedOut
            return TriggerResult(
                type: "kafka",
                error: .init(
                    connectionError: unreachable, runningOnContainer: unreachable && HTTPTrigger.runningOnContainer,
                    targetsLocalhost: unreachable
                        && brokers.contains { $0.hasPrefix("localhost:") || $0.hasPrefix("127.0.0.1:") },
                    message: error.description))
        }
    }
}
