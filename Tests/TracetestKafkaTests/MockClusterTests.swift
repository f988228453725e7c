import Foundation
import TestSupport
import Testing

@testable import TracetestKafka

@Suite struct MockClusterTests {
    private static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test func bootstrapServersListEveryBrokerOnLoopback() throws {
        let cluster = try KafkaMockCluster(brokers: 3)

        #expect(cluster.brokers.count == 3)
        #expect(cluster.brokers.allSatisfy { $0.hasPrefix("127.0.0.1:") })
    }

    @Test func aClosedClusterRefusesCalls() throws {
        let cluster = try KafkaMockCluster()
        cluster.close()
        cluster.close()

        let error = #expect(throws: KafkaError.self) { try cluster.createTopic("late") }

        #expect(error?.message == "could not create topic late: the mock Kafka cluster is closed")
    }

    @Test func anotherProcessReadsWhatWasProduced() async throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("shared")
        let message = KafkaMessage(
            brokers: cluster.brokers, topic: "shared", key: "k1", value: "hello", headers: [(key: "h", value: "1")])
        let delivery = try await KafkaProducer.produce(message, timeout: .seconds(10))

        let output = try await Self.runKcat([
            "-b", cluster.bootstrapServers, "-C", "-t", "shared", "-o", "beginning", "-c", "1", "-e",
            "-f", "%k|%s|%h|%p|%o",
        ])

        #expect(output == "k1|hello|h=1|\(delivery.partition)|\(delivery.offset)")
    }

    private static func runKcat(_ arguments: [String]) async throws -> String {
        String(decoding: try await runProcess(try #require(kcat), arguments).output, as: UTF8.self)
    }
}
