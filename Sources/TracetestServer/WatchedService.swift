import Logging
import ServiceLifecycle
import Synchronization

/// What the server's services are doing at shutdown: which still run, and whether one was asked to stop.
final class ShutdownWatch: Sendable {
    private let names = Mutex<[String]>([])
    private let began = Gate<Bool>([true])

    /// The services that have started and not stopped, in start order.
    var running: [String] { names.withLock { $0 } }

    fileprivate func started(_ name: String) {
        names.withLock { $0.append(name) }
    }

    fileprivate func stopped(_ name: String) {
        names.withLock { names in names.firstIndex(of: name).map { _ = names.remove(at: $0) } }
    }

    fileprivate func shutdownBegan() { began.mark(true) }

    /// Returns once a service was asked to stop, or at once when the task is cancelled.
    func shutdown() async { await began.wait() }
}

/// A service of the server's group that reports a slow stop: while it has not stopped after it was asked to, it says
/// so every `patience`, naming itself, so a shutdown that hangs shows what it waits for.
struct WatchedService: Service, CustomStringConvertible {
    let base: any Service
    let name: String
    let patience: Duration
    let watch: ShutdownWatch
    let logger: Logger

    var description: String { name }

    func run() async throws {
        watch.started(name)
        defer { watch.stopped(name) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await base.run()
                return true
            }
            group.addTask {
                await watchShutdown()
                return false
            }
            while let baseStopped = try await group.next() {
                if baseStopped { group.cancelAll() }
            }
        }
    }

    /// Returns when cancelled (the service stopped, or the group gave up on it).
    private func watchShutdown() async {
        do {
            try await gracefulShutdown()
            watch.shutdownBegan()
            var waited = Duration.zero
            while true {
                try await Task.sleep(for: patience)
                waited += patience
                logger.warning("shutdown: the \(name) has not stopped \(waited) after it was asked to")
            }
        } catch {
            return
        }
    }
}
