import Logging
import Synchronization

/// Keeps what is logged through its loggers, for tests that check what was logged.
package final class LogRecorder: Sendable {
    package struct Entry: Sendable {
        package var level: Logger.Level
        package var message: String
        package var metadata: Logger.Metadata
        /// When it was logged.
        package var time: ContinuousClock.Instant
    }

    private let recorded = Mutex<[Entry]>([])

    package init() {}

    package var entries: [Entry] { recorded.withLock { $0 } }

    /// Each entry as "level: message".
    package var messages: [String] { entries.map { "\($0.level): \($0.message)" } }

    /// A logger at level trace whose events are recorded (with the provider's metadata, when given).
    package func logger(metadataProvider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: "recorder") { _ in Handler(recorder: self, metadataProvider: metadataProvider) }
    }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
            if let explicit = event.metadata { merged.merge(explicit) { $1 } }
            let entry = Entry(
                level: event.level, message: event.message.description, metadata: merged, time: .now)
            recorder.recorded.withLock { $0.append(entry) }
        }
    }
}
