import CRdKafkaShim
import Synchronization

/// librdkafka's mock Kafka cluster, for tests: real Kafka-protocol brokers listening on 127.0.0.1 (reachable from
/// other processes too) that live in this process until `close()` or deinit.
package final class KafkaMockCluster: Sendable {
    /// The brokers as a bootstrap.servers list, "127.0.0.1:port,...".
    package let bootstrapServers: String
    private let cluster: Mutex<Handle?>

    /// The brokers, each "host:port".
    package var brokers: [String] { bootstrapServers.split(separator: ",").map(String.init) }

    /// Starts a cluster of `brokers` brokers, with ids 1 through `brokers`.
    package convenience init(brokers: Int = 1) throws(KafkaError) {
        try self.init(brokers: brokers, libraryName: nil)
    }

    init(brokers: Int, libraryName: String?) throws(KafkaError) {
        var status: Int32 = 0
        var reason = CStringBuffer(capacity: 512)
        let created = reason.withBuffer { buffer, size in
            withOptionalCString(libraryName) { library in
                shim_mock_cluster_new(library, Int32(clamping: brokers), &status, buffer, size)
            }
        }
        guard let created else {
            let status = ShimStatus(code: status)
            throw status.libraryError(reason: reason.text)
                ?? KafkaError(.invalidConfiguration, "could not start a mock Kafka cluster: \(reason.text)")
        }
        bootstrapServers = String(cString: shim_mock_cluster_bootstraps(created))
        cluster = Mutex(Handle(pointer: created))
    }

    deinit {
        close()
    }

    /// Creates a topic (producing to an unknown topic also creates it, with 4 partitions).
    package func createTopic(_ name: String, partitions: Int = 1, replicationFactor: Int = 1) throws(KafkaError) {
        try call("create topic \(name)") { cluster, reason, size in
            shim_mock_cluster_create_topic(
                cluster, name, Int32(clamping: partitions), Int32(clamping: replicationFactor), reason, size)
        }
    }

    /// Disconnects a broker (nil: all brokers) and refuses new connections until `setBrokerUp`.
    package func setBrokerDown(_ id: Int32? = nil) throws(KafkaError) {
        try call("stop broker \(id.map(String.init) ?? "all")") { cluster, reason, size in
            shim_mock_cluster_set_broker_up(cluster, id ?? -1, 0, reason, size)
        }
    }

    /// Accepts connections again on a broker (nil: all brokers).
    package func setBrokerUp(_ id: Int32? = nil) throws(KafkaError) {
        try call("start broker \(id.map(String.init) ?? "all")") { cluster, reason, size in
            shim_mock_cluster_set_broker_up(cluster, id ?? -1, 1, reason, size)
        }
    }

    /// Stops the brokers and frees the cluster; later calls fail. Safe to call more than once.
    package func close() {
        cluster.withLock { cluster in
            shim_mock_cluster_destroy(cluster?.pointer)
            cluster = nil
        }
    }

    private func call(
        _ action: String, _ body: (OpaquePointer, UnsafeMutablePointer<CChar>, Int) -> Int32
    ) throws(KafkaError) {
        var reason = CStringBuffer(capacity: 512)
        let failed = cluster.withLock { cluster -> Bool? in
            guard let cluster else { return nil }
            return reason.withBuffer { buffer, size in body(cluster.pointer, buffer, size) != 0 }
        }
        switch failed {
        case nil: throw KafkaError(.invalidConfiguration, "could not \(action): the mock Kafka cluster is closed")
        case true?:
            throw KafkaError(.invalidConfiguration, "could not \(action) on the mock Kafka cluster: \(reason.text)")
        case false?: return
        }
    }

    // The shim's cluster; used only under the mutex, and the shim's calls on it are thread-safe anyway.
    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }
}
