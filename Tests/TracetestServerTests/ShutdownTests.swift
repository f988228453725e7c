import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import TracetestServer

@Suite("Shutdown")
struct ShutdownTests {
    /// Waits for cancellation and ignores graceful shutdown, as a part that hangs at shutdown would.
    struct Stubborn: Service {
        func run() async throws {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Stops when asked to.
    struct Obliging: Service {
        func run() async throws { try? await gracefulShutdown() }
    }

    @Test("a service that does not stop is named in the log until the group gives up on it and cancels it")
    func slowServiceIsNamed() async throws {
        let recorder = LogRecorder()
        let watch = ShutdownWatch()
        let services = [("database", Obliging() as any Service), ("run engine", Stubborn())].map {
            WatchedService(
                base: $0.1, name: $0.0, patience: .milliseconds(100), watch: watch, logger: recorder.logger())
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: Logger(label: "test"))
        configuration.maximumGracefulShutdownDuration = .milliseconds(500)
        let group = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                await watch.shutdown()
                #expect(watch.running == ["database", "run engine"])
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let warnings = recorder.entries.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.allSatisfy { $0.hasPrefix("shutdown: the run engine has not stopped") }, "\(warnings)")
        #expect(!warnings.isEmpty)
        #expect(watch.running.isEmpty)
    }
}
