import Logging
import ServiceLifecycle

/// Runs a telemetry service so that it can never take the server down: an error is logged and the service waits
/// for shutdown, and at shutdown it gets ``Telemetry/shutdownLimit`` to flush before it is cancelled. It starts
/// once `startsAfter` returns (or at shutdown, to flush what was recorded meanwhile).
struct ResilientService: Service, CustomStringConvertible {
    let base: any Service
    let name: String
    let startsAfter: @Sendable () async -> Void
    let logger: Logger

    init(_ base: any Service, name: String, startsAfter: @escaping @Sendable () async -> Void, logger: Logger) {
        self.base = base
        self.name = name
        self.startsAfter = startsAfter
        self.logger = logger
    }

    var description: String { "telemetry \(name)" }

    func run() async throws {
        await cancelWhenGracefulShutdown { await startsAfter() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await base.run()
                } catch {
                    if !Task.isCancelled {
                        logger.error("telemetry: \(name) stopped: \(error); the server keeps running without it")
                    }
                }
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(for: Telemetry.shutdownLimit)
                } catch {
                    return
                }
                logger.warning(
                    Logger.Message(
                        stringLiteral:
                            "telemetry: \(name) did not finish within \(Telemetry.shutdownLimit) of shutdown; what was not "
                            + "exported is dropped"))
            }
            await group.next()
            group.cancelAll()
        }
        // Ended before shutdown (after an error): stay until the server stops, so the service group goes on.
        try? await gracefulShutdown()
    }
}
