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
/// child task, started by a command sent to the group's loop. A run executes in one of `maxParallelRuns` slots; a run
/// created when every slot is taken waits in the run queue of the database (``RunLeases``) for the first server with
/// a free slot, which takes it there; a stop cancels the run's task and ends the run `STOPPED` once; shutdown cancels
/// every child, waits for them and puts the runs that did not end back in the queue (they resume on another server,
/// or at the next start).
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
    /// Which server this is, as the owner of run leases (``RunLeases``), and how long a lease lasts unrenewed.
    let leaseOwner: String
    let leaseDuration: Duration
    let peers: ServerPeers
    /// The writer of runs for requests (creating, importing, rerunning runs; suite runs).
    let recorder: RunRecorder
    /// The writer of the runs and suite runs executed (or stopped) here: refused once another server has taken the
    /// run over, or failed the suite run as abandoned.
    let executionRecorder: RunRecorder
    /// When this engine was made (Unix milliseconds): the leases it takes expire after a lease duration from then.
    let startedAt = Trace.nowUnixNano() / 1_000_000
    /// Run changes for WebSocket subscribers and suite runs.
    package let updates: RunUpdates

    private let commands: AsyncStream<Command>
    private let commandInput: AsyncStream<Command>.Continuation

    /// - Parameters:
    ///   - telemetry: the server's own telemetry: pipeline spans, the `Tracetest trigger` span, worker metrics.
    ///   - clock: what trace waits measure time with.
    ///   - maxParallelRuns: runs executing at once; later ones wait in order.
    ///   - beforeRecovery: awaited before unfinished runs are resumed (the server's start-up).
    ///   - leaseOwner: this server's name among the servers of one database; a run executes where its lease is held.
    ///   - leaseDuration: how long a run's lease lasts when its server stops renewing it (it dies), after which
    ///     another server takes the run over; the queue is also looked at three times per lease duration.
    ///   - sharedDatabase: the PostgreSQL database other servers may share, over which they tell each other of the
    ///     runs they save (``ServerPeers``).
    package init(
        store: Store, spans: SpanStore, triggers: any Triggerer, analyzer: (any TraceAnalyzing)?,
        telemetry: Telemetry = .disabled, clock: any Clock<Duration> = ContinuousClock(), maxParallelRuns: Int = 32,
        logger: Logger, beforeRecovery: @escaping @Sendable () async throws -> Void = {},
        traceSources: TraceSources = TraceSources(),
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
        self.pipeline = PipelineTelemetry(telemetry: telemetry, server: leaseOwner)
        self.clock = clock
        self.logger = logger
        self.maxParallelRuns = max(1, maxParallelRuns)
        self.beforeRecovery = beforeRecovery
        let updates = RunUpdates()
        self.updates = updates
        self.peers = ServerPeers(database: sharedDatabase, name: leaseOwner)
        self.recorder = RunRecorder(store: store, updates: updates, clock: clock, logger: logger, peers: peers)
        self.executionRecorder = recorder.requiringLease(of: leaseOwner)
        (commands, commandInput) = AsyncStream.makeStream(of: Command.self)
    }

    // MARK: The task group

    /// A run to execute from its stored state; `parent` is the span its first step attaches to. A `created` run was
    /// just made here; without a free slot it goes to the queue of the database instead of waiting here.
    struct RunJob: Sendable {
        var key: RunKey
        var parent: TelemetryContext
        var created = false
    }

    /// How the wait for a run's end came out.
    enum Completion: Sendable {
        /// The run ended (nil: it was deleted or could not be read; not ended: it broke off on an error).
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
        case finished(RunKey, Completion)
        /// Take runs from the queue of the database for the free slots.
        case take
        case taken([RunLeases.Taken])
        case shutdown
    }

    /// What the loop knows: the runs executing and waiting for a slot, their controls, who waits for their end,
    /// whether a take from the queue is under way (and another was asked for meanwhile).
    private struct LoopState {
        var queue: RunQueue<RunJob>
        var controls: [RunKey: RunControl] = [:]
        var waiters: [RunKey: [CheckedContinuation<Completion, Never>]] = [:]
        var shuttingDown = false
        var taking = false
        var takeAgain = false
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
                group.addTask { await self.tick() }
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
        // Every run is stopped here: the ones not ended are for another server (or the next start) to take at once.
        do {
            try await store.runLeases.offerAll(owner: leaseOwner)
        } catch {
            logger.warning("cannot put this server's unfinished runs back in the queue (their leases expire): \(error)")
        }
        await triggers.shutdown()
    }

    // A run is busy while it has a control: from its `execute` (or the stop of a run not executing here) to its
    // `finished`. A busy run is neither started again nor stopped by a second writer.

    private func handle(_ command: Command, _ state: inout LoopState, _ group: inout DiscardingTaskGroup) {
        switch command {
        case .execute(let job):
            guard !state.shuttingDown, state.controls[job.key] == nil else { return }
            if job.created, !state.queue.hasFreeSlot {
                // It waits in the queue of the database, for whichever server has a free slot first.
                group.addTask { await self.offer(job.key) }
                return
            }
            let control = RunControl()
            state.controls[job.key] = control
            if let job = state.queue.submit(job.key, job) { start(job, control, &group) }
        case .suite(let suiteRun, let steps, let parent):
            guard !state.shuttingDown else { return }
            // Its steps' runs continue the trace of the request that started the suite.
            group.addTask { await parent.withCurrent { await self.execute(suiteRun, steps: steps) } }
        case .stop(let key):
            // During shutdown a stop is not recorded: the run keeps its state and resumes at the next start.
            guard !state.shuttingDown else { return }
            if state.queue.withdraw(key) != nil {
                // Never started: it ends here, STOPPED (it stays busy until then).
                group.addTask { self.send(.finished(key, .ended(await self.recordStop(key)))) }
            } else if let control = state.controls[key] {
                control.stop()
            } else {
                // Not executing here: stopped here, or by the server that holds its lease (busy meanwhile).
                state.controls[key] = RunControl()
                group.addTask { self.send(.finished(key, await self.stopHereOrElsewhere(key))) }
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
        case .finished(let key, let completion):
            state.controls[key] = nil
            if case .ended(let run) = completion {
                if let run, run.state.isTerminal { pipeline.metrics.countFinishedRun(state: run.state.rawValue) }
                group.addTask { await self.giveUp(key, ended: run?.state.isTerminal == true) }
            }
            for waiter in state.waiters.removeValue(forKey: key) ?? [] { waiter.resume(returning: completion) }
            for job in state.queue.finished(key) where !state.shuttingDown {
                if let control = state.controls[job.key] { start(job, control, &group) }
            }
            handle(.take, &state, &group)
        case .take:
            guard !state.shuttingDown else { return }
            guard !state.taking else {
                state.takeAgain = true
                return
            }
            let free = state.queue.freeSlots
            guard free > 0 else { return }
            state.taking = true
            group.addTask { self.send(.taken(await self.take(limit: free))) }
        case .taken(let runs):
            state.taking = false
            for run in runs {
                pipeline.metrics.recordListen(queue: Self.queueName)
                if run.takenOver {
                    pipeline.metrics.countLeaseTakeover()
                    logger.warning("taking over run \(run.testID)/\(run.runID): its server's lease expired")
                }
                let key = RunKey(testID: run.testID, runID: run.runID)
                handle(.execute(RunJob(key: key, parent: .root)), &state, &group)
            }
            if state.takeAgain {
                state.takeAgain = false
                handle(.take, &state, &group)
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
    /// the engine shut down first or the run was deleted; not ended when it broke off on an error), or `notRunning`
    /// when another server executes it.
    private func execute(_ job: RunJob, control: RunControl) async -> Completion {
        enum Outcome: Sendable {
            case ended(Completion)
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
        case .ended(let completion): return completion
        case .stopRequested: return .ended(await recordStop(job.key))
        case .interrupted: return .ended(nil)
        }
    }

    /// The pipeline of one run, once this server holds its lease (`notRunning` when another server does); throws
    /// `CancellationError` when it was cancelled (stop or shutdown).
    private func runPipeline(_ job: RunJob, control: RunControl) async throws -> Completion {
        let key = job.key
        do {
            guard try await claimLease(key) else {
                logger.debug("run \(key) is executed by another server")
                return .notRunning
            }
            guard var run = try await store.runs.get(testID: key.testID, runID: key.runID) else { return .ended(nil) }
            guard let test = try await store.tests.get(key.testID, version: run.testVersion) else {
                if !run.state.isTerminal {
                    try await executionRecorder.end(
                        &run, .triggerFailed, reason: "test \(key.testID) version \(run.testVersion) no longer exists")
                }
                return .ended(run)
            }
            var execution = RunExecution(engine: self, test: test, run: run, control: control, parent: job.parent)
            return .ended(try await execution.execute())
        } catch let error as StorageError where error.code == .leaseLost {
            logger.warning("leaving run \(key): \(error.message)")
            return .notRunning
        } catch {
            if Task.isCancelled { throw CancellationError() }
            logger.error("run \(key) could not be completed: \(error)")
            return .ended(try? await store.runs.get(testID: key.testID, runID: key.runID))
        }
    }

    /// Ends the run `STOPPED` unless it has ended; returns it as it is then.
    private func recordStop(_ key: RunKey) async -> TestRun? {
        do {
            guard var run = try await store.runs.get(testID: key.testID, runID: key.runID) else { return nil }
            var lifecycle = RunLifecycle(at: run.state)
            guard case .end(let state, let reason) = lifecycle.handle(.stopRequested) else { return run }
            // The event first: a run seen in its terminal state has all its events.
            await executionRecorder.emit(.stoppedInfo, run)
            try await executionRecorder.end(&run, state, reason: reason)
            return run
        } catch {
            logger.error("cannot stop run \(key): \(error)")
            return nil
        }
    }

    // MARK: Requests

    /// Starts the run, created here with ``newLease()``: now, or from the queue when a slot is free.
    func submit(_ run: TestRun) {
        send(.execute(RunJob(key: RunKey(testID: run.testID, runID: run.id), parent: .current, created: true)))
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

    /// Waits until the run ends, wherever it executes: here, or on another server, or still in the queue (its stored
    /// state is read every half second).
    func completion(of key: RunKey) async -> Completion {
        let here = await withCheckedContinuation { waiter in
            if case .terminated = commandInput.yield(.awaitCompletion(key, waiter)) {
                waiter.resume(returning: .shutdown)
            }
        }
        guard case .notRunning = here else { return here }
        while true {
            do {
                guard let run = try await store.runs.get(testID: key.testID, runID: key.runID) else {
                    return .ended(nil)
                }
                if run.state.isTerminal { return .ended(run) }
            } catch {
                if Task.isCancelled { return .shutdown }
                logger.warning("cannot read run \(key) while waiting for its end: \(error)")
            }
            do {
                try await Task.sleep(for: .milliseconds(500))
            } catch {
                return .shutdown
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

    /// After a restart: runs go on from their stored state wherever they are taken from the queue (a run caught
    /// mid-trigger ends `TRIGGER_FAILED`); suite runs whose server is gone end `FAILED`.
    private func recover() async {
        do {
            // Leases left from before this server started go back to the queue: every lease in a SQLite file (one
            // server has it: it holds the file's lock), this server's own on PostgreSQL (its name is its own).
            try await store.runLeases.offerAll(
                owner: store.database.dialect == .sqlite ? nil : leaseOwner,
                expiringBefore: startedAt + leaseMilliseconds)
        } catch {
            logger.error("cannot resume unfinished runs: \(error)")
        }
        send(.take)
        await failAbandonedSuiteRuns()
    }

    /// Ends `FAILED` the unfinished suite runs whose server stopped or died (their leases were given up or expired).
    private func failAbandonedSuiteRuns() async {
        do {
            let now = leaseTimes().now
            for var suiteRun in try await store.suiteRuns.unfinished() {
                // A suite run takes its lease as it starts: one without a lease may just have been created.
                let holder = try await store.runLeases.holder(
                    testID: RunLeases.suiteRunKey(suiteRun.testSuiteID), runID: suiteRun.id)
                if let holder {
                    guard holder.expiresAt < now else { continue }
                } else {
                    guard suiteRun.createdAt.microsecondsSinceEpoch / 1_000 < now - leaseMilliseconds else { continue }
                }
                try await recorder.update(&suiteRun) {
                    $0.state = "FAILED"
                    $0.lastError = "the server executing the suite stopped while it was running; run the suite again"
                    $0.completedAt = .now()
                }
                try await store.runLeases.release(
                    testID: RunLeases.suiteRunKey(suiteRun.testSuiteID), runID: suiteRun.id, owner: holder?.owner ?? "")
            }
        } catch {
            logger.error("cannot look for suite runs left by a stopped server: \(error)")
        }
    }

    // MARK: The queue and leases

    /// The queue's name in the `messaging.*` metrics.
    static let queueName = "runs"

    private var leaseMilliseconds: Int64 { Int64(leaseDuration / .milliseconds(1)) }

    private func leaseTimes() -> (now: Int64, until: Int64) {
        let now = Trace.nowUnixNano() / 1_000_000
        return (now, now + leaseMilliseconds)
    }

    /// The lease a run created here is stored with: this server executes it unless it offers it to the queue.
    func newLease() -> (owner: String, until: Int64) {
        (leaseOwner, leaseTimes().until)
    }

    /// Takes the run's lease for this server, unless another server holds it and has renewed it in time.
    func claimLease(_ key: RunKey) async throws -> Bool {
        let (now, until) = leaseTimes()
        return try await store.runLeases.claim(
            testID: key.testID, runID: key.runID, owner: leaseOwner, now: now, until: until)
    }

    /// Takes up to `limit` runs from the queue for this server (none when the database cannot be reached).
    private func take(limit: Int) async -> [RunLeases.Taken] {
        let (now, until) = leaseTimes()
        do {
            let taken = try await store.runLeases.take(owner: leaseOwner, now: now, until: until, limit: limit)
            if pipeline.metrics.isEnabled {
                pipeline.metrics.recordQueuedRuns(try await store.runLeases.waiting(now: now))
            }
            return taken
        } catch {
            logger.warning("cannot take runs from the queue: \(error)")
            return []
        }
    }

    /// Puts a run created here back in the queue, as no slot is free, and tells the other servers.
    private func offer(_ key: RunKey) async {
        pipeline.metrics.recordEnqueue(queue: Self.queueName)
        do {
            try await store.runLeases.offer(testID: key.testID, runID: key.runID, owner: leaseOwner)
        } catch {
            logger.warning("cannot put run \(key) in the queue (it is taken once its lease expires): \(error)")
        }
        await peers.announceQueued()
        // A slot may have been freed while it was put there.
        send(.take)
    }

    /// After the run's work here: the lease of a run that ended is given up; one that broke off (an error, the
    /// database away) goes back to the queue, to be tried again a third of a lease duration later by any server.
    /// Tried until it works (meanwhile this server keeps the lease), unless the engine shuts down.
    private func giveUp(_ key: RunKey, ended: Bool) async {
        var delay = Duration.milliseconds(500)
        while !Task.isCancelled {
            do {
                if ended {
                    try await store.runLeases.release(testID: key.testID, runID: key.runID, owner: leaseOwner)
                } else {
                    try await store.runLeases.offer(
                        testID: key.testID, runID: key.runID, owner: leaseOwner,
                        availableAt: leaseTimes().now + leaseMilliseconds / 3)
                }
                return
            } catch {
                logger.warning("cannot give up the lease of run \(key) (trying again in \(delay)): \(error)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, leaseDuration / 3)
            }
        }
    }

    /// Ends the run `STOPPED` here once no other server holds a live lease on it, asking the one that does to stop
    /// it every second meanwhile, until the run has ended. So a stop is not lost with a server that died holding the
    /// run: when its lease expires the stop is recorded here, or asked of the server that took the run over.
    private func stopHereOrElsewhere(_ key: RunKey) async -> Completion {
        repeat {
            do {
                guard let run = try await store.runs.get(testID: key.testID, runID: key.runID),
                    !run.state.isTerminal
                else { return .notRunning }
                if try await claimLease(key) { return .ended(await recordStop(key)) }
                if let holder = try await store.runLeases.holder(testID: key.testID, runID: key.runID),
                    !holder.owner.isEmpty
                {
                    _ = await peers.requestStop(testID: key.testID, runID: key.runID, by: holder.owner)
                }
            } catch {
                logger.warning("cannot tell whether run \(key) was stopped (trying again in a second): \(error)")
            }
        } while (try? await Task.sleep(for: .seconds(1))) != nil
        return .shutdown
    }

    /// Until shutdown, three times per lease duration (wall time, as the other servers read it, not the engine's
    /// clock): renews the leases of this server's runs and suite runs, takes runs from the queue for its free slots
    /// (runs another server offered, or whose server died), and fails the suite runs of servers that died.
    private func tick() async {
        while (try? await Task.sleep(for: leaseDuration / 3)) != nil {
            do {
                try await store.runLeases.renew(owner: leaseOwner, until: leaseTimes().until)
            } catch {
                logger.warning("cannot renew the leases of this server's runs: \(error)")
            }
            send(.take)
            await failAbandonedSuiteRuns()
        }
    }

    /// Until shutdown: passes the runs other servers of the database save on to this server's subscribers (read
    /// back without their traces), stops the runs they ask this server to stop, and takes runs they put in the
    /// queue.
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
            case .queued:
                self.send(.take)
            case nil:
                break
            }
        }
    }
}
