import Testing

@testable import TracetestKafka

@Suite struct ProduceTests {
    @Test func producedMessageReadsBackWithKeyValueHeadersAndPosition() async throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        let headers = [
            (key: "x-user", value: "first"),
            (key: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            (key: "x-user", value: "second"), (key: "empty", value: ""),
        ]
        let message = KafkaMessage(
            brokers: cluster.brokers, topic: "orders", key: "order-ключ-1", value: #"{"id": 1, "note": "é"}"#,
            headers: headers)

        let delivery = try await KafkaProducer.produce(message, timeout: .seconds(10))
        let record = try #require(await KafkaTestConsumer.read(topic: "orders", brokers: cluster.bootstrapServers))

        #expect(record.key == message.key)
        #expect(record.value == message.value)
        #expect(record.headers.map(\.key) == headers.map(\.key))
        #expect(record.headers.map(\.value) == headers.map(\.value))
        #expect(record.partition == delivery.partition)
        #expect(record.offset == delivery.offset)
        #expect(delivery.offset >= 0)
    }

    @Test func twoMessagesGetIncreasingOffsets() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("payments", partitions: 1)
        var message = KafkaMessage(brokers: cluster.brokers, topic: "payments", key: "k", value: "one")

        let first = try await KafkaProducer.produce(message, timeout: .seconds(10))
        message.value = "two"
        let second = try await KafkaProducer.produce(message, timeout: .seconds(10))
        let records = try await KafkaTestConsumer.read(
            topic: "payments", brokers: cluster.bootstrapServers, count: 2)

        #expect(first.partition == 0 && second.partition == 0)
        #expect(second.offset > first.offset)
        #expect(records.map(\.value) == ["one", "two"])
        #expect(records.map(\.offset) == [first.offset, second.offset])
    }

    @Test func emptyKeyValueAndNoHeadersAreDelivered() async throws {
        let cluster = try KafkaMockCluster()
        let message = KafkaMessage(brokers: [" \(cluster.bootstrapServers) ", ""], topic: "blank", key: "", value: "")

        let delivery = try await KafkaProducer.produce(message, timeout: .seconds(10))
        let record = try #require(await KafkaTestConsumer.read(topic: "blank", brokers: cluster.bootstrapServers))

        #expect(record.key.isEmpty && record.value.isEmpty && record.headers.isEmpty)
        #expect(KafkaDelivery(partition: record.partition, offset: record.offset) == delivery)
    }

    // librdkafka's mock cluster (2.0) answers no SaslHandshake, so SASL/PLAIN shows as an authentication failure that
    // ends the call at once, long before the timeout; a mock that learns SASL must deliver instead.
    @Test func saslPlainReachesTheBrokerAndAnAuthenticationFailureEndsTheCallEarly() async throws {
        let cluster = try KafkaMockCluster()
        let message = KafkaMessage(
            brokers: cluster.brokers, topic: "secured", key: "k", value: "v", plain: (username: "user", password: "pw"))

        let result: Result<KafkaDelivery, KafkaError>
        do throws(KafkaError) {
            result = .success(try await KafkaProducer.produce(message, timeout: .seconds(20)))
        } catch {
            result = .failure(error)
        }

        switch result {
        case .success(let delivery):
            let record = try #require(await KafkaTestConsumer.read(topic: "secured", brokers: cluster.bootstrapServers))
            #expect(record.offset == delivery.offset)
        case .failure(let error):
            #expect(error.kind == .deliveryFailed)
            let prefix = "could not deliver to topic secured on brokers \(cluster.bootstrapServers): sasl_plaintext://"
            #expect(error.message.hasPrefix(prefix), "\(error.message)")
            #expect(error.message.contains("SASL") && error.message.contains("PLAIN"), "\(error.message)")
        }
    }

    @Test func anExplicitLibraryNameIsUsed() async throws {
        let cluster = try KafkaMockCluster()
        let message = KafkaMessage(brokers: cluster.brokers, topic: "named", key: "k", value: "v")

        let delivery = try await KafkaProducer.produce(message, timeout: .seconds(10), libraryName: "librdkafka.so.1")

        #expect(delivery.offset >= 0)
    }
}
