import CMemoryRelease
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TracetestAnalyzer
import TracetestConfig
import TracetestEngine
import TracetestIngest
import TracetestModel
import TracetestStorage
import TracetestTelemetry
import TracetestTraceSources
import TracetestWebUI

/// What `tracetest serve` runs: the database, the OTLP receivers, the run engine and the HTTP API, as services of
/// one group.
package struct TracetestServer: Sendable {
    package let store: Store
    package let spans: SpanStore
    package let engine: RunEngine
    /// In start order; a service group shuts them down in reverse (the HTTP server drains before the pool closes).
    package let services: [any Service]
    let shutdownWatch: ShutdownWatch

    /// The servers that listen, for ``make(configuration:provisioning:logger:onListening:)``.
    package enum Listener: String, Sendable {
        case api = "HTTP API"
        case otlpGRPC = "OTLP gRPC receiver"
        case otlpHTTP = "OTLP HTTP receiver"
    }

    /// Opens the database and builds the services. Start-up work that needs the database (waiting for PostgreSQL,
    /// migrations, provisioning) runs once when the services start, before any port opens.
    ///
    /// - Parameter onListening: called with each listener's bound port once it accepts requests.
    package static func make(
        configuration: ServerConfiguration,
        provisioning: Provisioning?,
        logger: Logger,
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) async throws -> TracetestServer {
        // One malloc arena per core, set before the server's threads allocate (see CMemoryRelease).
        tracetest_limit_malloc_arenas(Int32(ProcessInfo.processInfo.activeProcessorCount))
        var listeners = [(configuration.server.host, configuration.server.httpPort, "server.httpPort")]
        if configuration.otlpServer.enabled {
            listeners += [
                (configuration.otlpServer.host, configuration.otlpServer.grpcPort, "otlpServer.grpcPort"),
                (configuration.otlpServer.host, configuration.otlpServer.httpPort, "otlpServer.httpPort"),
            ]
        }
        try PortCheck.ensureFree(listeners)
        let tls = try ServerTLS(certFile: configuration.server.tlsCertFile, keyFile: configuration.server.tlsKeyFile)
        let listening = Gate<Listener>(configuration.otlpServer.enabled ? [.api, .otlpGRPC, .otlpHTTP] : [.api])
        let onListening: @Sendable (Listener, Int) async -> Void = { listener, port in
            listening.mark(listener)
            await onListening(listener, port)
        }
        let telemetry = try Telemetry.bootstrap(
            configuration: configuration, logger: logger, exportStarts: { await listening.wait() })
        let database = try await openDatabase(configuration, logger: logger)
        let tracedDatabase = InstrumentedDatabase(database, tracer: telemetry.tracer)
        let store = Store(database: tracedDatabase)
        // Servers sharing a PostgreSQL database share runs and spans; each goes by its lease owner's name.
        let serverName = configuration.server.leaseOwner
        let shared = database as? PostgresDatabase
        let spans = SpanStore(
            repository: SpanRepository(database: tracedDatabase),
            settings: configuration.otlpServer.recentTraces,
            logger: logger, peers: shared.map { SpanStore.Peers(database: $0, name: serverName) }
        )
        let startup = StartupGate {
            if let postgres = database as? PostgresDatabase {
                try await postgres.waitUntilReachable(timeout: postgres.settings.startupTimeout, logger: logger)
            }
            try await store.migrate(logger: logger)
            try await install(store: store, provisioning: provisioning, logger: logger)
        }
        guard let databaseService = database as? any Service else { preconditionFailure("databases are services") }
        var services: [(name: String, service: any Service)] = [("database", databaseService)]
        let otlp = configuration.otlpServer
        if otlp.enabled {
            let dataStoreCheck = CachedCheck(ttl: .seconds(1)) {
                (try? await store.dataStores.get())?.isFedByOTLP ?? true
            }
            let ingestion = Ingestion(store: spans) { await dataStoreCheck.value() }
            services.append(
                (
                    Listener.otlpGRPC.rawValue,
                    GRPCReceiver(
                        ingestion: ingestion, host: otlp.host, port: otlp.grpcPort,
                        maxMessageBytes: otlp.maxMessageBytes, token: BearerToken(otlp.authToken),
                        logger: logger, telemetry: telemetry, beforeServing: { try await startup.ready() },
                        onListening: { await onListening(.otlpGRPC, $0) }
                    )
                )
            )
            services.append(
                (
                    Listener.otlpHTTP.rawValue,
                    HTTPReceiver.application(
                        ingestion: ingestion, host: otlp.host, port: otlp.httpPort,
                        maxMessageBytes: otlp.maxMessageBytes, token: BearerToken(otlp.authToken),
                        logger: logger, telemetry: telemetry, beforeServing: { try await startup.ready() },
                        onListening: { await onListening(.otlpHTTP, $0) }
                    )
                )
            )
        } else {
            logger.info("OTLP receiver disabled (otlpServer.enabled: false)")
        }
        // Telemetry after the receivers and the database and before the rest: it stops after the engine and the API
        // and flushes what they recorded while the server's own receiver can still take it.
        services += telemetry.services.map { (String(describing: $0), $0) }
        // The trace stores' gRPC clients stop after the engine that polls with them.
        let storeClients = StoreGRPCClients()
        services.append(("trace store clients", storeClients))
        let engine = RunEngine(
            store: store, spans: spans,
            triggers: Triggers(http: HTTPTrigger(connectionsPerHost: configuration.server.maxParallelRuns)),
            analyzer: TraceAnalyzer(), telemetry: telemetry,
            maxParallelRuns: configuration.server.maxParallelRuns, logger: logger,
            beforeRecovery: { try await startup.ready() }, traceSources: TraceSources(grpcClients: storeClients),
            leaseOwner: serverName, sharedDatabase: shared)
        services.append(("run engine", engine))
        var app = Application(
            router: makeRouter(
                store: store, spans: spans, engine: engine, pathPrefix: configuration.server.pathPrefix,
                telemetry: telemetry, token: BearerToken(configuration.server.authToken)),
            server: RunUpdatesSocket.server(
                updates: engine.updates, pathPrefix: configuration.server.pathPrefix,
                token: BearerToken(configuration.server.authToken), tls: tls),
            configuration: .init(
                address: .hostname(configuration.server.host, port: configuration.server.httpPort),
                serverName: nil
            ),
            onServerRunning: { channel in await onListening(.api, channel.localAddress?.port ?? 0) },
            logger: logger
        )
        app.beforeServerStarts { try await startup.ready() }
        services.append((Listener.api.rawValue, app))
        if let tls { services.append(("TLS reloader", TLSReloader(tls: tls, logger: logger))) }
        services.append(("memory release", MemoryRelease(spans: spans, clock: ContinuousClock())))
        let watch = ShutdownWatch()
        return TracetestServer(
            store: store, spans: spans, engine: engine,
            services: services.map {
                WatchedService(
                    base: $0.service, name: $0.name, patience: shutdownPatience, watch: watch, logger: logger)
            },
            shutdownWatch: watch)
    }

    /// How long a service may take to stop before the log says it has not.
    static let shutdownPatience = Duration.seconds(10)
    /// How long a graceful shutdown may take before what is left is cancelled, and how long that may take before the
    /// process exits regardless (a server that does not stop on SIGTERM is worse than one that stops abruptly).
    static let shutdownLimits = (graceful: Duration.seconds(30), cancellation: Duration.seconds(10))

    /// Runs until SIGTERM or SIGINT, then drains requests and closes the database.
    package func run(logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownLimits.graceful
        let group = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { [shutdownWatch] in
                await shutdownWatch.shutdown()
                try await Task.sleep(for: Self.shutdownLimits.graceful + Self.shutdownLimits.cancellation)
                logger.critical(
                    Logger.Message(
                        stringLiteral:
                            "shutdown: still waiting for the \(shutdownWatch.running.joined(separator: ", ")) "
                            + "\((Self.shutdownLimits.graceful + Self.shutdownLimits.cancellation).components.seconds) s "
                            + "after the shutdown began, even after cancelling them; exiting"))
                exit(1)
            }
            // The group ended: the watch goes with it.
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    static func openDatabase(_ configuration: ServerConfiguration, logger: Logger) async throws -> any SQLDatabase {
        switch configuration.storage {
        case .sqlite(let path):
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            logger.info("storage: embedded SQLite database at \(absolute)")
            return try await SQLiteDatabase.open(path: absolute, logger: logger)
        case .postgres(let settings):
            logger.info("storage: PostgreSQL database \(settings.database) at \(settings.endpoint)")
            return PostgresDatabase(settings: settings, logger: logger)
        }
    }

    /// On a new installation, records it and applies provisioning in one transaction.
    static func install(store: Store, provisioning: Provisioning?, logger: Logger) async throws {
        let installed = try await store.server.install { db in
            let now = Timestamp.now()
            try await provisioning?.apply(to: store, in: db, now: now)
            try await store.dataStores.storeDefaultIfMissing(now: now, in: db)
        }
        if let installed {
            logger.info("new installation \(installed.serverID)")
            if let provisioning {
                logger.info("provisioned \(provisioning.count) resource(s) from \(provisioning.source)")
            }
        } else if let provisioning {
            logger.info("provisioning from \(provisioning.source) skipped: it applies to new installations only")
        }
    }

    /// How long `GET /health` waits for the database (a pool without a reachable server waits indefinitely).
    static let healthTimeout = Duration.seconds(3)

    /// Runs `SELECT 1`; throws its error, or ``HealthCheckTimeout`` when there is no answer within `limit`.
    static func databaseAnswers(_ database: any SQLDatabase, within limit: Duration) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await database.read { db in try await db.query("SELECT 1 AS ok") }
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else { throw HealthCheckTimeout(limit: limit) }
        }
    }

    struct HealthCheckTimeout: Error, CustomStringConvertible {
        var limit: Duration
        var description: String { "no answer within \(limit.components.seconds)s" }
    }

    static func makeRouter(
        store: Store, spans: SpanStore, engine: RunEngine, pathPrefix: String, telemetry: Telemetry = .disabled,
        token: BearerToken? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if telemetry.tracer.isEnabled || telemetry.metrics.isEnabled {
            router.add(
                middleware: TelemetryMiddleware(
                    tracer: telemetry.tracer, metrics: telemetry.metrics, pathPrefix: pathPrefix))
        }
        router.add(middleware: UnknownRouteMiddleware())
        if let token { router.add(middleware: APITokenMiddleware(token: token, pathPrefix: pathPrefix)) }
        router.add(
            middleware: WebUIMiddleware(
                webUI: WebUI(
                    pathPrefix: pathPrefix, directory: ProcessInfo.processInfo.environment["TRACETEST_UI_DIR"])))
        router.add(middleware: CrossSiteRequestMiddleware())
        router.add(middleware: NULInURLMiddleware())
        router.add(middleware: TenantHeaderMiddleware())
        let prefix = pathPrefix.split(separator: "/").joined(separator: "/")
        let base = prefix.isEmpty ? router.group() : router.group(RouterPath(prefix))
        let api = base.group("api")
        // Errors are written as `{code, error}` on the resource routes and as a JSON string on the others.
        let resources = api.group().add(middleware: ErrorMiddleware(style: .resource))
        ResourceRoutes(handler: TestHandler(store: store)).register(on: resources)
        ResourceRoutes(handler: TestSuiteHandler(store: store)).register(on: resources)
        ResourceRoutes(handler: DocumentHandler(repository: store.variableSets)).register(on: resources)
        ResourceRoutes(handler: DocumentHandler(repository: store.demos)).register(on: resources)
        ResourceRoutes(
            handler: SingletonHandler(
                repository: store.dataStores, shown: \.maskingSecrets,
                completed: { sent, stored in sent.hasMaskedSecrets ? sent.keepingSecrets(of: try await stored()) : sent
                })
        ).register(on: resources)
        ResourceRoutes(handler: SingletonHandler(repository: store.pollingProfiles)).register(on: resources)
        ResourceRoutes(handler: SingletonHandler(repository: store.configs)).register(on: resources)
        ResourceRoutes(handler: SingletonHandler(repository: store.analyzers)).register(on: resources)
        ResourceRoutes(handler: SingletonHandler(repository: store.testRunners)).register(on: resources)
        let operations = api.group().add(middleware: ErrorMiddleware(style: .openAPI))
        InfoRoutes(store: store).register(on: operations)
        OpenAPIDocument.register(on: operations)
        VersionRoutes(store: store).register(on: operations)
        ConnectionRoutes(spans: spans, store: store, sources: engine.traceSources).register(on: operations)
        RunRoutes(engine: engine).register(on: operations)
        RunUpdatesSocket.register(on: router, pathPrefix: pathPrefix)
        let health: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, context in
            do {
                try await databaseAnswers(store.database, within: healthTimeout)
                return OpenAPIResponse.json(.object(["status": "ok"]))
            } catch {
                context.logger.warning("health check: database unavailable: \(error)")
                return OpenAPIResponse.json(
                    .object(["status": "unavailable", "error": .string("database unavailable: \(error)")]),
                    status: .serviceUnavailable
                )
            }
        }
        base.get("health", use: health)
        return router
    }
}
