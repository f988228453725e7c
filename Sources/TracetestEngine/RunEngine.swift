import Logging
import ServiceLifecycle
import TracetestIngest
import TracetestLanguage
import TracetestModel
import TracetestStorage
import TracetestTelemetry
import TracetestTraceSources

/// Runs tests and test suites, and is the only writer of runs: every run, suite run and their traces and events
/// are created and changed through it (the HTTP routes are thin adapters of its methods).
///
/// As a `Service`, it owns all run work in one task group: each run, suite run, stop and the start-up recovery is a
/// child task, started by a command sent to the group's loop. A run waits for one of `maxParallelRuns` slots; a stop
/// cancels the run's task and ends the run `STOPPED` once; shutdown cancels every child and waits for them (runs that
/// did not end stay in the database and resume at the next start).
package final class RunEngine: Service, Sendable {
    let store: Store
    let spans: SpanStore
    let triggers: any Triggerer
    /// The clients of trace stores that runs poll.
    package let traceSources: TraceSources
    let analyzer: (any TraceAnalyzing)?
    let pipeline: PipelineTelemetry
    let clock: any Clock<Duration>
    let logger: Logger
    let maxParallelRuns: Int
    let beforeRecovery: @Sendable () async throws -> Void
    let sweepInterval: Duration
    /// Which server this is, as the owner of run leases (``RunLeases``), and how long a lease lasts unrenewed.
    let leaseOwner: String
    let leaseDuration: Duration
    let peers: ServerPeers
    let recorder: RunRecorder
    /// Run changes for WebSocket subscribers and suite runs.
    package let updates: RunUpdates
    /// When this process's engine was made: suite runs created before it were left by an earlier process.
    let startedAt = Timestamp.now()

    private let commands: AsyncStream<Command>
    private let commandInput: AsyncStream<Command>.Continuation

    /// - Parameters:
    ///   - telemetry: the server's own telemetry: pipeline spans, the `Tracetest trigger` span, worker metrics.
    ///   - clock: what trace waits measure time with.
    ///   - maxParallelRuns: runs executing at once; later ones wait in order.
    ///   - beforeRecovery: awaited before unfinished runs are resumed (the server's start-up).
    ///   - sweepInterval: how often unfinished runs nobody works on are looked for (``StrandedRuns``).
    ///   - leaseOwner: this server's name among the servers of one database; a run executes where its lease is held.
    ///   - leaseDuration: how long a run's lease lasts when its server stops renewing it (it dies), after which
    ///     another server takes the run over.
    ///   - sharedDatabase: the PostgreSQL database other servers may share, over which they tell each other of the
    ///     runs they save (``ServerPeers``).
    package init(
        store: Store, spans: SpanStore, triggers: any Triggerer, analyzer: (any TraceAnalyzing)?,
        telemetry: Telemetry = .disabled, clock: any Clock<Duration> = ContinuousClock(), maxParallelRuns: Int = 32,
        logger: Logger, beforeRecovery: @escaping @Sendable () async throws -> Void = {},
        sweepInterval: Duration = .seconds(30), traceSources: TraceSources = TraceSources(),
        leaseOwner: String,
        leaseDuration: Duration = .seconds(30), sharedDatabase: PostgresDatabase? = nil
    ) {
        self.leaseOwner = leaseOwner
        self.leaseDuration = leaseDuration
        self.traceSources = traceSources
        self.store = store
        self.spans = spans
        self.triggers = triggers
        self.analyzer = analyzer
        self.pipeline = PipelineTelemetry(telemetry: telemetry)
        self.clock = clock
        self.logger = logger
        self.maxParallelRuns = max(1, maxParallelRuns)
        self.beforeRecovery = beforeRecovery
        self.sweepInterval = sweepInterval
        let updates = RunUpdates()
        self.updates = updates
        self.peers = ServerPeers(database: sharedDatabase, name: leaseOwner)
        self.recorder = RunRecorder(store: store, updates: updates, clock: clock, logger: logger, peers: peers)
        (commands, commandInput) = AsyncStream.makeStream(of: Command.self)
    }

    // MARK: The task group

    /// A run to execute from its stored state; `parent` is the span its first step attaches to.
    struct RunJob: Sendable {
        var key: RunKey
        var parent: TelemetryContext
    }

    /// How the wait for a run's end came out.
    enum Completion: Sendable {
        /// The run ended (nil: it was deleted or could not be read).
        case ended(TestRun?)
        /// The run is not executing or waiting here.
        case notRunning
        /// The engine is shutting down.
        case shutdown
    }

    private enum Command: Sendable {
        case execute(RunJob)
        case suite(TestSuiteRun, steps: [String], parent: TelemetryContext)
        case stop(RunKey)
        case skip(RunKey)
        case awaitCompletion(RunKey, CheckedContinuation<Completion, Never>)
        case isBusy(RunKey, CheckedContinuation<Bool, Never>)
        case finished(RunKey, TestRun?)
        case shutdown
    }

    /// What the loop knows: the queue of runs, their controls, who waits for their end.
    private struct LoopState {
        var queue: RunQueue<RunJob>
        var controls: [RunKey: RunControl] = [:]
        var waiters: [RunKey: [CheckedContinuation<Completion, Never>]] = [:]
        var shuttingDown = false
    }

    /// Resumes or ends what an earlier process left unfinished (once `beforeRecovery` returned), then runs until
    /// shutdown, when every run, suite and stop still going is cancelled and awaited.
    package func run() async throws {
        defer { commandInput.finish() }
        try await cancelWhenGracefulShutdown { try await self.beforeRecovery() }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var state = LoopState(queue: RunQueue(limit: maxParallelRuns))
                group.addTask { await self.recover() }
                group.addTask { await self.sweepStrandedRuns() }
                group.addTask { await self.renewLeases() }
                if peers.database != nil {
                    group.addTask { await self.followPeers() }
                    group.addTask { await self.spans.followPeers() }
                }
                for await command in commands {
                    handle(command, &state, &group)
                }
                // Ended without a graceful shutdown (the service was cancelled): release whoever still waits.
                if !state.shuttingDown { handle(.shutdown, &state, &group) }
            }
        } onGracefulShutdown: {
            self.commandInput.yield(.shutdown)
        }
        await triggers.shutdown()
    }

    // A run is busy while it has a control: from its `execute` (or the stop of a run not executing here) to its
    // `finished`. A busy run is neither started again nor stopped by a second writer.

    private func handle(_ command: Command, _ state: inout LoopState, _ group: inout DiscardingTaskGroup) {
        switch command {
        case .execute(let job):
            guard !state.shuttingDown, state.controls[job.key] == nil else { return }
            let control = RunControl()
            state.controls[job.key] = control
            if let job = state.queue.submit(job.key, job) { start(job, control, &group) }
            pipeline.metrics.recordEnqueue(queue: "")
        case .suite(let suiteRun, let steps, let parent):
            guard !state.shuttingDown else { return }
            // Its steps' runs continue the trace of the request that started the suite.
            group.addTask { await parent.withCurrent { await self.execute(suiteRun, steps: steps) } }
        case .stop(let key):
            // During shutdown a stop is not recorded: the run keeps its state and resumes at the next start.
            guard !state.shuttingDown else { return }
            if state.queue.withdraw(key) != nil {
                // Never started: it ends here, STOPPED (it stays busy until then).
                group.addTask { self.send(.finished(key, await self.recordStop(key))) }
            } else if let control = state.controls[key] {
                control.stop()
            } else {
                // Not executing here: another server that holds its lease stops it; otherwise (ended already, or
                // left by an earlier process) it is stopped here if it has not ended, busy meanwhile.
                state.controls[key] = RunControl()
                group.addTask {
                    if await self.stopsElsewhere(key) {
                        self.send(.finished(key, try? await self.store.runs.get(testID: key.testID, runID: key.runID)))
                    } else {
                        self.send(.finished(key, await self.recordStop(key)))
                    }
                }
            }
        case .skip(let key):
            state.controls[key]?.skip()
        case .awaitCompletion(let key, let waiter):
            if state.shuttingDown {
                waiter.resume(returning: .shutdown)
            } else if state.controls[key] != nil {
                state.waiters[key, default: []].append(waiter)
            } else {
                waiter.resume(returning: .notRunning)
            }
        case .isBusy(let key, let answer):
            answer.resume(returning: state.controls[key] != nil)
        case .finished(let key, let run):
            state.controls[key] = nil
            if let run, run.state.isTerminal {
                pipeline.metrics.countFinishedRun(state: run.state.rawValue)
                group.addTask { await self.releaseLease(key) }
            }
            for waiter in state.waiters.removeValue(forKey: key) ?? [] { waiter.resume(returning: .ended(run)) }
            for job in state.queue.finished(key) where !state.shuttingDown {
                if let control = state.controls[job.key] { start(job, control, &group) }
            }
        case .shutdown:
            state.shuttingDown = true
            group.cancelAll()
            for waiter in state.waiters.values.joined() { waiter.resume(returning: .shutdown) }
            state.waiters = [:]
            // The loop reads what was sent before this, then ends; later sends are refused.
            commandInput.finish()
        }
    }

    private func start(_ job: RunJob, _ control: RunControl, _ group: inout DiscardingTaskGroup) {
        pipeline.metrics.recordListen(queue: "")
        // The run's work continues the trace of the request that started it (its spans and database spans).
        group.addTask {
            let final = await job.parent.withCurrent { await self.execute(job, control: control) }
            self.send(.finished(job.key, final))
        }
    }

    private func send(_ command: Command) {
        commandInput.yield(command)
    }

    /// Executes the run until it ends, is stopped, or the engine shuts down; returns the run as it is then (nil when
    /// the engine shut down first or the run was deleted; not ended when it broke off on an error).
    private func execute(_ job: RunJob, control: RunControl) async -> TestRun? {
        enum Outcome: Sendable {
            case ended(TestRun?)
            case stopRequested
            case interrupted
        }
        let outcome = await withTaskGroup(of: Outcome.self) { race in
            race.addTask {
                do {
                    return .ended(try await self.runPipeline(job, control: control))
                } catch {
                    return .interrupted
                }
            }
            race.addTask { await control.waitForStop() ? .stopRequested : .interrupted }
            let first = await race.next() ?? .interrupted
            race.cancelAll()
            return first
        }
        switch outcome {
        case .ended(let run): return run
        case .stopRequested: return await recordStop(job.key)
        case .interrupted: return nil
        }
    }

    /// The pipeline of one run, once this server holds its lease (nil when another server does); throws
    /// `CancellationError` when it was cancelled (stop or shutdown).
    private func runPipeline(_ job: RunJob, control: RunControl) async throws -> TestRun? {
        let key = job.key
        do {
            guard try await claimLease(key) else {
                logger.debug("run \(key) is executed by another server")
                return nil
            }
            guard var run = try await store.runs.get(testID: key.testID, runID: key.runID) else { return nil }
            guard let test = try await store.tests.get(key.testID, version: run.testVersion) else {
                if !run.state.isTerminal {
                    try await recorder.end(
                        &run, .triggerFailed, reason: "test \(key.testID) version \(run.testVersion) no longer exists")
                }
                return run
            }
            var execution = RunExecution(engine: self, test: test, run: run, control: control, parent: job.parent)
            return try await execution.execute()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            logger.error("run \(key) could not be completed: \(error)")
            return try? await store.runs.get(testID: key.testID, runID: key.runID)
        }
    }

    /// Ends the run `STOPPED` unless it has ended; returns it as it is then.
    private func recordStop(_ key: RunKey) async -> TestRun? {
        do {
            guard var run = try await store.runs.get(testID: key.testID, runID: key.runID) else { return nil }
            var lifecycle = RunLifecycle(at: run.state)
            guard case .end(let state, let reason) = lifecycle.handle(.stopRequested) else { return run }
            // The event first: a run seen in its terminal state has all its events.
            await recorder.emit(.stoppedInfo, run)
            try await recorder.end(&run, state, reason: reason)
            return run
        } catch {
            logger.error("cannot stop run \(key): \(error)")
            return nil
        }
    }

    // MARK: Requests

    /// Starts the run (now or when a slot is free).
    func submit(_ run: TestRun) {
        send(.execute(RunJob(key: RunKey(testID: run.testID, runID: run.id), parent: .current)))
    }

    func submit(_ suiteRun: TestSuiteRun, steps: [String]) {
        send(.suite(suiteRun, steps: steps, parent: .current))
    }

    /// Stops the run if it has not ended: `STOPPED`, `lastErrorState`, `completedAt`, and a `STOPPED_INFO` event.
    /// Returns at once.
    package func stop(testID: String, runID: Int) {
        pipeline.tracer.startSpan(SpanName.userRequestedStopRun).end()
        send(.stop(RunKey(testID: testID, runID: runID)))
    }

    /// Ends the wait for the run's trace with the spans received so far.
    package func skipPolling(testID: String, runID: Int) {
        send(.skip(RunKey(testID: testID, runID: runID)))
    }

    /// Waits until the run ends.
    func completion(of key: RunKey) async -> Completion {
        await withCheckedContinuation { waiter in
            if case .terminated = commandInput.yield(.awaitCompletion(key, waiter)) {
                waiter.resume(returning: .shutdown)
            }
        }
    }

    /// Whether the run executes (or waits for a slot, or is being stopped) here now.
    func isBusy(_ key: RunKey) async -> Bool {
        await withCheckedContinuation { answer in
            if case .terminated = commandInput.yield(.isBusy(key, answer)) { answer.resume(returning: false) }
        }
    }

    // MARK: Recovery

    /// After a restart: unfinished runs go on from their stored state (a run caught mid-trigger ends
    /// `TRIGGER_FAILED`); suite runs an earlier process left unfinished end `FAILED`.
    private func recover() async {
        do {
            // One server has a SQLite file (it holds the file's lock): every lease in it is left from before.
            if store.database.dialect == .sqlite { try await store.runLeases.releaseAll() }
            // Runs and suite runs of this process are already under way.
            for run in try await store.runs.unfinished() where run.createdAt < startedAt {
                logger.info("resuming run \(run.testID)/\(run.id) (\(run.state.rawValue))")
                send(.execute(RunJob(key: RunKey(testID: run.testID, runID: run.id), parent: .root)))
            }
            for var suiteRun in try await store.suiteRuns.unfinished() where suiteRun.createdAt < startedAt {
                try await recorder.update(&suiteRun) {
                    $0.state = "FAILED"
                    $0.lastError = "the server stopped while the suite was running; run the suite again"
                    $0.completedAt = .now()
                }
            }
        } catch {
            logger.error("cannot resume unfinished runs: \(error)")
        }
    }

    // MARK: Leases

    private func leaseTimes() -> (now: Int64, until: Int64) {
        let now = Trace.nowUnixNano() / 1_000_000
        return (now, now + Int64(leaseDuration / .milliseconds(1)))
    }

    /// Takes the run's lease for this server, unless another server holds it and has renewed it in time.
    private func claimLease(_ key: RunKey) async throws -> Bool {
        let (now, until) = leaseTimes()
        return try await store.runLeases.claim(
            testID: key.testID, runID: key.runID, owner: leaseOwner, now: now, until: until)
    }

    /// Asks the server that holds the run's lease, if another one does and has renewed it in time, to stop the run;
    /// whether it was asked.
    private func stopsElsewhere(_ key: RunKey) async -> Bool {
        guard peers.database != nil,
            let holder = try? await store.runLeases.holder(testID: key.testID, runID: key.runID),
            holder.owner != leaseOwner, holder.expiresAt > leaseTimes().now
        else { return false }
        return await peers.requestStop(testID: key.testID, runID: key.runID, by: holder.owner)
    }

    private func releaseLease(_ key: RunKey) async {
        do {
            try await store.runLeases.release(testID: key.testID, runID: key.runID, owner: leaseOwner)
        } catch {
            logger.warning("cannot give up the lease of run \(key) (it expires by itself): \(error)")
        }
    }

    /// Until shutdown: renews the leases of this server's runs three times per lease duration (wall time, as the
    /// other servers read it, not the engine's clock).
    private func renewLeases() async {
        while (try? await Task.sleep(for: leaseDuration / 3)) != nil {
            do {
                try await store.runLeases.renew(owner: leaseOwner, until: leaseTimes().until)
            } catch {
                logger.warning("cannot renew the leases of this server's runs: \(error)")
            }
        }
    }

    /// Until shutdown: passes the runs other servers of the database save on to this server's subscribers (read
    /// back without their traces), and stops the runs they ask this server to stop.
    private func followPeers() async {
        await peers.database?.follow(ServerPeers.channel) { payload in
            switch self.peers.message(in: payload) {
            case .saved(let testID, let runID):
                await self.updates.publish(on: RunUpdates.runTopic(testID: testID, runID: runID)) {
                    try await self.run(testID: testID, runID: runID, includingTrace: false)
                }
            case .event(let testID, let runID, let event):
                await self.updates.publish(on: RunUpdates.eventTopic(testID: testID, runID: runID)) { event }
            case .stop(let testID, let runID):
                self.send(.stop(RunKey(testID: testID, runID: runID)))
            case nil:
                break
            }
        }
    }

    /// Until shutdown: every `sweepInterval`, resumes the unfinished runs nobody works on (left by a write that
    /// kept failing while the database was away, or by a server that died: their leases have expired).
    private func sweepStrandedRuns() async {
        var stranded = StrandedRuns()
        while (try? await clock.sleep(for: sweepInterval)) != nil {
            do {
                var idle: [RunKey: RunState] = [:]
                for run in try await store.runs.unfinished() {
                    let key = RunKey(testID: run.testID, runID: run.id)
                    if await !isBusy(key) { idle[key] = run.state }
                }
                for key in stranded.sweep(idle: idle) {
                    logger.warning("resuming run \(key), left \(idle[key]?.rawValue ?? "") with nobody working on it")
                    send(.execute(RunJob(key: key, parent: .root)))
                }
            } catch {
                logger.warning("cannot look for stranded runs: \(error)")
            }
        }
    }
}
