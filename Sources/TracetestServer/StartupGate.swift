/// Start-up work that several services wait for and only the first one runs (waiting for the database,
/// migrations, provisioning); a failure is seen by every waiter.
actor StartupGate {
    private let work: @Sendable () async throws -> Void
    private var running: Task<Void, any Error>?

    init(_ work: @escaping @Sendable () async throws -> Void) {
        self.work = work
    }

    func ready() async throws {
        let task = running ?? Task { try await work() }
        running = task
        try await task.value
    }
}
