import Testing

@testable import TracetestKafka

@Suite struct FailureTests {
    // Two "host:port" entries on 127.0.0.1 where nothing listens: ports of a mock cluster that was closed.
    private func closedBrokers() throws -> [String] {
        let cluster = try KafkaMockCluster(brokers: 2)
        let brokers = cluster.brokers
        cluster.close()
        return brokers
    }

    @Test func unreachableBrokersFailWithinTheTimeoutNamingThem() async throws {
        let brokers = try closedBrokers()
        let message = KafkaMessage(brokers: brokers, topic: "lost", key: "k", value: "v")
        let clock = ContinuousClock()
        let start = clock.now

        let error = await #expect(throws: KafkaError.self) {
            try await KafkaProducer.produce(message, timeout: .seconds(3))
        }

        let elapsed = start.duration(to: clock.now)
        // It waited for the brokers (no timing bound above: the kind says the timeout ended it).
        #expect(elapsed >= .seconds(2))
        #expect(error?.kind == .timedOut)
        let prefix = "could not deliver to topic lost on brokers \(brokers.joined(separator: ",")) within 3s: "
        #expect(error?.message.hasPrefix(prefix) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("Connection refused") == true, "\(error?.message ?? "")")
    }

    @Test func aBrokerThatIsDownTimesOutAndWorksAgainWhenUp() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("flaky")
        let message = KafkaMessage(brokers: cluster.brokers, topic: "flaky", key: "k", value: "v")
        try cluster.setBrokerDown()

        let error = await #expect(throws: KafkaError.self) {
            try await KafkaProducer.produce(message, timeout: .seconds(2))
        }
        try cluster.setBrokerUp()
        let delivery = try await KafkaProducer.produce(message, timeout: .seconds(10))

        #expect(error?.kind == .timedOut)
        #expect(error?.message.contains("on brokers \(cluster.bootstrapServers) within 2s: ") == true)
        #expect(delivery.offset == 0)
    }

    @Test func tlsAgainstAPlaintextBrokerFails() async throws {
        let cluster = try KafkaMockCluster()
        let message = KafkaMessage(brokers: cluster.brokers, topic: "tls", key: "k", value: "v", tls: true)

        let error = await #expect(throws: KafkaError.self) {
            try await KafkaProducer.produce(message, timeout: .seconds(3))
        }

        #expect(error?.kind == .timedOut)
        #expect(
            error?.message.hasPrefix("could not deliver to topic tls on brokers \(cluster.bootstrapServers)") == true)
        #expect(error?.message.contains("SSL") == true, "\(error?.message ?? "")")
    }

    @Test func missingLibraryNamesThePackageToInstall() async throws {
        let message = KafkaMessage(brokers: ["127.0.0.1:9092"], topic: "t", key: "k", value: "v")
        let expected =
            "the Kafka trigger needs librdkafka, which is not installed on the server: "
            + "install librdkafka1 (Debian/Ubuntu: apt-get install librdkafka1)"

        let error = await #expect(throws: KafkaError.self) {
            try await KafkaProducer.produce(message, timeout: .seconds(3), libraryName: "librdkafka-does-not-exist.so")
        }
        let mockError = #expect(throws: KafkaError.self) {
            try KafkaMockCluster(brokers: 1, libraryName: "librdkafka-does-not-exist.so")
        }
        let consumerError = await #expect(throws: KafkaError.self) {
            try await KafkaTestConsumer.read(
                topic: "t", brokers: "127.0.0.1:9092", count: 1, timeout: .seconds(1),
                libraryName: "librdkafka-does-not-exist.so")
        }

        #expect(error == KafkaError(.libraryMissing, expected))
        #expect(error?.description == expected)
        #expect(mockError == KafkaError(.libraryMissing, expected))
        #expect(consumerError == KafkaError(.libraryMissing, expected))
    }

    @Test func aLibraryWithoutLibrdkafkaFunctionsIsIncompatible() async throws {
        let message = KafkaMessage(brokers: ["127.0.0.1:9092"], topic: "t", key: "k", value: "v")

        let error = await #expect(throws: KafkaError.self) {
            try await KafkaProducer.produce(message, timeout: .seconds(3), libraryName: "libz.so.1")
        }

        #expect(error?.kind == .libraryIncompatible)
        #expect(error?.message.contains("lacks rd_kafka_version_str") == true, "\(error?.message ?? "")")
    }

    @Test func settingsAreValidatedBeforeConnecting() async throws {
        let noBrokers = KafkaMessage(brokers: [" ", ""], topic: "t", key: "k", value: "v")
        let noTopic = KafkaMessage(brokers: ["a:1", "b:2"], topic: " ", key: "k", value: "v")
        let nulPassword = KafkaMessage(
            brokers: ["a:1", "b:2"], topic: "t", key: "k", value: "v", plain: (username: "u", password: "p\0w"))

        let brokersError = await #expect(throws: KafkaError.self) { try await KafkaProducer.produce(noBrokers) }
        let topicError = await #expect(throws: KafkaError.self) { try await KafkaProducer.produce(noTopic) }
        let passwordError = await #expect(throws: KafkaError.self) { try await KafkaProducer.produce(nulPassword) }

        #expect(brokersError?.message == "the Kafka trigger has no brokers: set at least one host:port")
        #expect(topicError?.message == "the Kafka trigger for brokers a:1,b:2 has no topic: set one")
        #expect(
            passwordError
                == KafkaError(
                    .invalidConfiguration,
                    "invalid Kafka setting password for brokers a:1,b:2: it contains a NUL character"))
    }

    @Test func timeoutsAreWrittenAsUsersWroteThem() {
        #expect(Duration.seconds(30).kafkaText == "30s")
        #expect(Duration.milliseconds(1500).kafkaText == "1500ms")
        #expect(Duration.zero.kafkaMilliseconds == 1)
        #expect(Duration.seconds(Int64.max).kafkaMilliseconds == 86_400_000)
    }
}
