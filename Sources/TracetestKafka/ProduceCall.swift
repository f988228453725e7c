import CRdKafkaShim

// A validated produce request and the blocking shim call that carries it out.
struct ProduceCall: Sendable {
    let message: KafkaMessage
    let brokers: String
    let timeout: Duration
    let libraryName: String?

    init(message: KafkaMessage, timeout: Duration, libraryName: String?) throws(KafkaError) {
        let brokers = message.brokers.map(\.trimmedForKafka).filter { !$0.isEmpty }
        let brokerList = brokers.joined(separator: ",")
        guard !brokers.isEmpty else {
            throw KafkaError(.invalidConfiguration, "the Kafka trigger has no brokers: set at least one host:port")
        }
        guard !message.topic.trimmedForKafka.isEmpty else {
            throw KafkaError(.invalidConfiguration, "the Kafka trigger for brokers \(brokerList) has no topic: set one")
        }
        let settings = [
            ("brokers", brokerList), ("topic", message.topic), ("username", message.plain?.username ?? ""),
            ("password", message.plain?.password ?? ""),
        ]
        if let (setting, _) = settings.first(where: { $0.1.contains("\0") }) {
            throw .invalidSetting(setting, brokers: brokerList, reason: "it contains a NUL character")
        }
        self.message = message
        self.brokers = brokerList
        self.timeout = timeout
        self.libraryName = libraryName
    }

    // Produces the message; blocks until delivery, failure, the timeout, or `cancellation` is raised.
    func run(cancellation: CancellationFlag) -> Result<KafkaDelivery, KafkaError> {
        var setting = CStringBuffer(capacity: 128)
        var reason = CStringBuffer(capacity: 1024)
        var partition: Int32 = -1
        var offset: Int64 = -1
        let code = setting.withBuffer { settingBuffer, settingSize in
            reason.withBuffer { reasonBuffer, reasonSize in
                var result = shim_produce_result(
                    partition: -1, offset: -1, setting: settingBuffer, setting_size: settingSize,
                    reason: reasonBuffer, reason_size: reasonSize)
                let code = withRequest { request in shim_produce(&request, cancellation.pointer, &result) }
                partition = result.partition
                offset = result.offset
                return code
            }
        }
        return outcome(ShimStatus(code: code), setting: setting.text, reason: reason.text).map {
            KafkaDelivery(partition: partition, offset: offset)
        }
    }

    private func outcome(_ status: ShimStatus, setting: String, reason: String) -> Result<Void, KafkaError> {
        if let error = status.libraryError(reason: reason) {
            return .failure(error)
        }
        let topic = message.topic
        switch status {
        case .ok: return .success(())
        case .configInvalid: return .failure(.invalidSetting(setting, brokers: brokers, reason: reason))
        case .createFailed:
            return .failure(
                KafkaError(.invalidConfiguration, "could not create a Kafka producer for brokers \(brokers): \(reason)")
            )
        case .timedOut: return .failure(.timedOut(topic: topic, brokers: brokers, timeout: timeout, reason: reason))
        case .cancelled: return .failure(.cancelled(topic: topic, brokers: brokers))
        default: return .failure(.deliveryFailed(topic: topic, brokers: brokers, reason: reason))
        }
    }

    // Runs `body` with the C request; every pointer in it is valid only during `body`.
    private func withRequest(_ body: (inout shim_produce_request) -> Int32) -> Int32 {
        var headerBytes: [UInt8] = message.headers.flatMap { header -> [UInt8] in
            Array(header.key.utf8) + Array(header.value.utf8)
        }
        headerBytes.append(0)  // a non-empty buffer has an address even when every header is empty
        let key = Array(message.key.utf8)
        let value = Array(message.value.utf8)
        return headerBytes.withUnsafeBufferPointer { bytes in
            let headers = cHeaders(in: bytes)
            return headers.withUnsafeBufferPointer { headerList in
                key.withUnsafeBytes { key in
                    value.withUnsafeBytes { value in
                        withOptionalCString(libraryName) { library in
                            withOptionalCString(message.plain?.username) { username in
                                withOptionalCString(message.plain?.password) { password in
                                    brokers.withCString { brokers in
                                        message.topic.withCString { topic in
                                            var request = shim_produce_request(
                                                library: library, brokers: brokers, topic: topic,
                                                key: key.baseAddress, key_length: key.count,
                                                value: value.baseAddress, value_length: value.count,
                                                headers: headerList.baseAddress, header_count: headerList.count,
                                                tls: message.tls ? 1 : 0, sasl_username: username,
                                                sasl_password: password, timeout_ms: timeout.kafkaMilliseconds)
                                            return body(&request)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // The headers as C structs pointing into `bytes`, where their names and values lie back to back.
    private func cHeaders(in bytes: UnsafeBufferPointer<UInt8>) -> [shim_header] {
        guard let base = bytes.baseAddress else { return [] }
        var position = 0
        return message.headers.map { header in
            let nameLength = header.key.utf8.count
            let valueLength = header.value.utf8.count
            let name = UnsafeRawPointer(base + position).assumingMemoryBound(to: CChar.self)
            let value = UnsafeRawPointer(base + position + nameLength)
            position += nameLength + valueLength
            return shim_header(name: name, name_length: nameLength, value: value, value_length: valueLength)
        }
    }
}

extension String {
    // Without leading and trailing whitespace.
    var trimmedForKafka: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
