import TracetestModel

/// Publishes run changes to whoever listens (WebSocket clients, suite runs) by topic:
/// `test/<testId>/run/<runId>` (the run), `test/<testId>/run/<runId>/event` (each event),
/// `testsuites/<suiteId>/run/<runId>` (the suite run).
package actor RunUpdates {
    private var subscribers: [String: [Int: AsyncStream<WireValue>.Continuation]] = [:]
    private var next = 0

    package init() {}

    package static func runTopic(testID: String, runID: Int) -> String { "test/\(testID)/run/\(runID)" }
    package static func eventTopic(testID: String, runID: Int) -> String { "test/\(testID)/run/\(runID)/event" }
    package static func suiteRunTopic(suiteID: String, runID: Int) -> String { "testsuites/\(suiteID)/run/\(runID)" }

    /// Everything published on `topic` from now on, until the caller stops listening.
    package func subscribe(_ topic: String) -> AsyncStream<WireValue> {
        let (stream, continuation) = AsyncStream.makeStream(of: WireValue.self, bufferingPolicy: .bufferingNewest(256))
        let id = next
        next += 1
        subscribers[topic, default: [:]][id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(topic, id) } }
        return stream
    }

    /// Sends `value` to everyone subscribed to `topic`.
    package func publish(_ value: WireValue, on topic: String) {
        guard let listeners = subscribers[topic] else { return }
        for continuation in listeners.values { continuation.yield(value) }
    }

    /// Sends the value `make` returns to everyone subscribed to `topic`; `make` runs only when someone is (a big
    /// run is encoded only for a listener). A value that cannot be made is not sent.
    package func publish(on topic: String, _ make: @Sendable () async throws -> WireValue) async {
        guard subscribers[topic] != nil, let value = try? await make() else { return }
        publish(value, on: topic)
    }

    private func unsubscribe(_ topic: String, _ id: Int) {
        subscribers[topic]?[id] = nil
        if subscribers[topic]?.isEmpty == true { subscribers[topic] = nil }
    }
}
