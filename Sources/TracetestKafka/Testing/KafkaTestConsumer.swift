import CRdKafkaShim

/// Reads messages back from Kafka in tests: every partition of a topic from the beginning, without a consumer group
/// assignment. The blocking librdkafka calls run on a thread of their own.
package enum KafkaTestConsumer {
    /// The first message that arrives on `topic`, or nil if none arrives within `timeout`.
    package static func read(
        topic: String, brokers: String, timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> KafkaConsumedRecord? {
        try await read(topic: topic, brokers: brokers, count: 1, timeout: timeout).first
    }

    /// Up to `count` messages from `topic` in arrival order (ordered by offset within a partition), stopping at
    /// `timeout`; an empty list if the topic does not exist by then.
    package static func read(
        topic: String, brokers: String, count: Int, timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [KafkaConsumedRecord] {
        try await read(topic: topic, brokers: brokers, count: count, timeout: timeout, libraryName: nil)
    }

    static func read(
        topic: String, brokers: String, count: Int, timeout: Duration, libraryName: String?
    ) async throws(KafkaError) -> [KafkaConsumedRecord] {
        let result = await DedicatedThread.run(named: "tracetest-kafka-test-consumer") {
            consume(topic: topic, brokers: brokers, count: count, timeout: timeout, libraryName: libraryName)
        }
        return try result.get()
    }

    private static func consume(
        topic: String, brokers: String, count: Int, timeout: Duration, libraryName: String?
    ) -> Result<[KafkaConsumedRecord], KafkaError> {
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var reason = CStringBuffer(capacity: 512)
        let consumer = reason.withBuffer { buffer, size in
            withOptionalCString(libraryName) { library in
                shim_consumer_open(library, brokers, topic, timeout.kafkaMilliseconds, &status, buffer, size)
            }
        }
        guard let consumer else {
            let status = ShimStatus(code: status)
            if status == .timedOut {
                return .success([])
            }
            return .failure(
                status.libraryError(reason: reason.text)
                    ?? KafkaError(
                        .deliveryFailed, "could not read topic \(topic) on brokers \(brokers): \(reason.text)"))
        }
        defer { shim_consumer_close(consumer) }
        var records: [KafkaConsumedRecord] = []
        while records.count < count {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, let record = shim_consumer_next(consumer, remaining.kafkaMilliseconds) else {
                break
            }
            records.append(KafkaConsumedRecord(record))
            shim_record_free(record)
        }
        return .success(records)
    }
}

extension KafkaConsumedRecord {
    // Copies a shim record.
    init(_ record: OpaquePointer) {
        var keyLength = 0
        var valueLength = 0
        let key = shim_record_key(record, &keyLength)
        let value = shim_record_value(record, &valueLength)
        var headers: [(key: String, value: String)] = []
        for index in 0..<shim_record_header_count(record) {
            var name: UnsafePointer<CChar>?
            var headerValue: UnsafeRawPointer?
            var headerLength = 0
            guard shim_record_header(record, index, &name, &headerValue, &headerLength) != 0, let name else { continue }
            headers.append((String(cString: name), Self.text(headerValue, headerLength)))
        }
        self.init(
            key: Self.text(key, keyLength), value: Self.text(value, valueLength), headers: headers,
            partition: shim_record_partition(record), offset: shim_record_offset(record))
    }

    private static func text(_ bytes: UnsafeRawPointer?, _ length: Int) -> String {
        guard let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
}
