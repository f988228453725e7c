import Synchronization

/// Delivers what is published on a topic to everyone subscribed to it: handlers, called on the publisher's task,
/// or async streams. Subscribing and unsubscribing are synchronous, so a stream that ends leaves nothing behind and
/// nothing needs a task of its own.
package final class Broadcast<Topic: Hashable & Sendable, Value: Sendable>: Sendable {
    /// A handler's place on a topic, to unsubscribe it.
    package struct Subscription: Hashable, Sendable {
        package let topic: Topic
        let id: Int
    }

    private struct State {
        var handlers: [Topic: [Int: @Sendable (Value) -> Void]] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Calls `handler` with every value published on `topic` from now on, until unsubscribed.
    package func subscribe(_ topic: Topic, _ handler: @escaping @Sendable (Value) -> Void) -> Subscription {
        state.withLock { state in
            defer { state.nextID += 1 }
            state.handlers[topic, default: [:]][state.nextID] = handler
            return Subscription(topic: topic, id: state.nextID)
        }
    }

    package func unsubscribe(_ subscription: Subscription) {
        state.withLock { state in
            state.handlers[subscription.topic]?[subscription.id] = nil
            if state.handlers[subscription.topic]?.isEmpty == true { state.handlers[subscription.topic] = nil }
        }
    }

    /// Every value published on `topic` from now on, until the listener is closed or its consumer stops listening.
    package func listen(
        _ topic: Topic, bufferingPolicy: AsyncStream<Value>.Continuation.BufferingPolicy = .unbounded
    ) -> Listener {
        let (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: bufferingPolicy)
        let subscription = subscribe(topic) { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(subscription) }
        return Listener(stream: stream, continuation: continuation)
    }

    /// The values of one topic as an async sequence; ``close()`` ends it and unsubscribes (also when it was never
    /// iterated).
    package struct Listener: AsyncSequence, Sendable {
        package typealias Element = Value

        let stream: AsyncStream<Value>
        let continuation: AsyncStream<Value>.Continuation

        package func makeAsyncIterator() -> AsyncStream<Value>.Iterator { stream.makeAsyncIterator() }

        package func close() { continuation.finish() }
    }

    /// Whether anyone listens on `topic`.
    package func hasSubscribers(_ topic: Topic) -> Bool {
        state.withLock { $0.handlers[topic] != nil }
    }

    package func publish(_ value: Value, on topic: Topic) {
        let handlers = state.withLock { $0.handlers[topic].map { Array($0.values) } ?? [] }
        for handler in handlers { handler(value) }
    }
}
