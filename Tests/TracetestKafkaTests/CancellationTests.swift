import Testing

@testable import TracetestKafka

@Suite struct CancellationTests {
    @Test func cancellingTheTaskEndsTheCallSoon() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.setBrokerDown()
        let message = KafkaMessage(brokers: cluster.brokers, topic: "never", key: "k", value: "v")

        let error = await withTaskGroup(of: KafkaError?.self) { group in
            group.addTask {
                do throws(KafkaError) {
                    _ = try await KafkaProducer.produce(message, timeout: .seconds(30))
                    return nil
                } catch {
                    return error
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
            group.cancelAll()
            return await group.next() ?? nil
        }

        #expect(
            error
                == KafkaError(
                    .cancelled, "delivery to topic never on brokers \(cluster.bootstrapServers) was cancelled"),
            "cancelled, not timed out after 30 s")
    }

    @Test func anAlreadyCancelledTaskDoesNotProduce() async throws {
        let cluster = try KafkaMockCluster()
        let message = KafkaMessage(brokers: cluster.brokers, topic: "skipped", key: "k", value: "v")

        let error = await withTaskGroup(of: KafkaError?.self) { group in
            group.cancelAll()
            group.addTask {
                do throws(KafkaError) {
                    _ = try await KafkaProducer.produce(message, timeout: .seconds(10))
                    return nil
                } catch {
                    return error
                }
            }
            return await group.next() ?? nil
        }
        let records = try await KafkaTestConsumer.read(
            topic: "skipped", brokers: cluster.bootstrapServers, count: 1, timeout: .seconds(1))

        #expect(error?.kind == .cancelled)
        #expect(records.isEmpty)
    }
}
