import TracetestConcurrency
import TracetestModel

/// Publishes run changes to whoever listens (WebSocket clients) by topic: `test/<testId>/run/<runId>` (the run),
/// `test/<testId>/run/<runId>/event` (each event), `testsuites/<suiteId>/run/<runId>` (the suite run).
package final class RunUpdates: Sendable {
    private let broadcast = Broadcast<String, WireValue>()

    package init() {}

    package static func runTopic(testID: String, runID: Int) -> String { "test/\(testID)/run/\(runID)" }
    package static func eventTopic(testID: String, runID: Int) -> String { "test/\(testID)/run/\(runID)/event" }
    package static func suiteRunTopic(suiteID: String, runID: Int) -> String { "testsuites/\(suiteID)/run/\(runID)" }

    /// Calls `handler` with everything published on `topic` from now on, until unsubscribed.
    package func subscribe(
        _ topic: String, _ handler: @escaping @Sendable (WireValue) -> Void
    ) -> Broadcast<String, WireValue>.Subscription {
        broadcast.subscribe(topic, handler)
    }

    package func unsubscribe(_ subscription: Broadcast<String, WireValue>.Subscription) {
        broadcast.unsubscribe(subscription)
    }

    /// Sends the value `make` returns to everyone subscribed to `topic`; `make` runs only when someone is (a big
    /// run is encoded only for a listener). A value that cannot be made is not sent.
    package func publish(on topic: String, _ make: @Sendable () async throws -> WireValue) async {
        guard broadcast.hasSubscribers(topic), let value = try? await make() else { return }
        broadcast.publish(value, on: topic)
    }
}
