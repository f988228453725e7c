import Logging
import ServerTestSupport
import ServiceLifecycle
import TestSupport
import Testing
import TracetestModel
import TracetestTraceSources

/// Jaeger's and Tempo's gRPC query APIs against the stand-in written from their wire definitions.
@Suite("Trace stores over gRPC")
struct GRPCStoreTests {
    static func jaeger(port: Int, token: String? = nil) -> DataStore {
        var settings = GRPCClientSettings(endpoint: "127.0.0.1:\(port)", tls: TLSSettings(insecure: true))
        if let token { settings.headers = ["Authorization": "Bearer \(token)"] }
        return DataStore(name: "Jaeger", type: "jaeger", jaeger: settings)
    }

    static func tempo(port: Int, token: String? = nil) -> DataStore {
        var settings = GRPCClientSettings(endpoint: "127.0.0.1:\(port)", tls: TLSSettings(insecure: true))
        if let token { settings.headers = ["authorization": "Bearer \(token)"] }
        return DataStore(name: "Tempo", type: "tempo", tempo: TempoSettings(type: "grpc", grpc: settings))
    }

    static func store(_ type: String, port: Int, token: String? = nil) -> DataStore {
        type == "jaeger" ? jaeger(port: port, token: token) : tempo(port: port, token: token)
    }

    @Test(
        "the trace comes back with names, kinds, parents, status and the resource's service.name",
        arguments: ["jaeger", "tempo"])
    func fetchesAndConverts(type: String) async throws {
        let standIn = GRPCTraceStoreStandIn()
        let traceID = TraceID.random()
        standIn.store(SampleTrace.resourceSpans(traceID))
        standIn.store(SampleTrace.resourceSpans(TraceID.random()))
        try await withGRPCStandIn(standIn) { port in
            let store = Self.store(type, port: port)
            let source = try #require(try TraceSources().source(for: store))
            let spans = try await source.trace(traceID)
            #expect(spans.map(\.name).sorted() == ["POST /pokemon/import", "SELECT pokemon", "import pokemon"])
            let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
            let root = try #require(byName["POST /pokemon/import"])
            #expect(root.parentID == nil || root.parentID == .zero)
            #expect(root.kind == .server)
            #expect(root.status?.code == "STATUS_CODE_OK")
            #expect(byName["import pokemon"]?.parentID == root.id)
            #expect(byName["SELECT pokemon"]?.parentID == byName["import pokemon"]?.id)
            #expect(byName["SELECT pokemon"]?.kind == .client)
            #expect(spans.allSatisfy { $0.attributes["service.name"] == "pokeshop" })
            let assembled = Trace(traceID: traceID, spans: spans).spans
            #expect(assembled.first { $0.name == "SELECT pokemon" }?.attributes["tracetest.span.type"] == "database")
        }
    }

    @Test("a trace the store does not have is not found (polling goes on)", arguments: ["jaeger", "tempo"])
    func unknownTraceIsNotFound(type: String) async throws {
        try await withGRPCStandIn(GRPCTraceStoreStandIn()) { port in
            let store = Self.store(type, port: port)
            let source = try #require(try TraceSources().source(for: store))
            let error = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(error?.kind == .notFound)
        }
    }

    @Test("Tempo over gRPC reads at most tempo.maxResponseBytes, and says how to read more")
    func tempoAnswerLimit() async throws {
        let standIn = GRPCTraceStoreStandIn()
        let traceID = TraceID.random()
        standIn.store(SampleTrace.resourceSpans(traceID, extra: 50))
        try await withGRPCStandIn(standIn) { port in
            var store = Self.tempo(port: port)
            store.tempo?.maxResponseBytes = 1_024
            let small = try #require(try TraceSources().source(for: store))
            let error = await #expect(throws: TraceSourceError.self) { try await small.trace(traceID) }
            #expect(error?.kind == .invalidAnswer)
            #expect(error?.message.contains("Tempo answered more than 1 KB") == true, "\(String(describing: error))")
            #expect(error?.message.contains("raise tempo.maxResponseBytes") == true)
            store.tempo?.maxResponseBytes = 1 << 20
            let enough = try #require(try TraceSources().source(for: store))
            #expect(try await enough.trace(traceID).count == 53)
        }
    }

    @Test("the connection test passes every step against a reachable store", arguments: ["jaeger", "tempo"])
    func connectionTestPasses(type: String) async throws {
        try await withGRPCStandIn(GRPCTraceStoreStandIn()) { port in
            let store = Self.store(type, port: port)
            let result = await ConnectionTest.run(try #require(try TraceSources().source(for: store)))
            // The stand-in's port is not the store's usual one: a warning, which passes.
            #expect(result.portCheck?.status == .warning)
            #expect(result.connectivity?.status == .passed)
            #expect(result.authentication?.status == .passed)
            #expect(result.fetchTraces?.status == .passed)
            #expect(result.allPassed)
        }
    }

    @Test("the connection test fails at connectivity on a port nothing listens on", arguments: ["jaeger", "tempo"])
    func connectionTestFailsAtConnectivity(type: String) async throws {
        try await withClosedPort { port in
            let store = Self.store(type, port: port)
            let source = try #require(try TraceSources().source(for: store))
            let result = await ConnectionTest.run(source)
            #expect(result.connectivity?.status == .failed)
            #expect(result.connectivity?.error?.isEmpty == false)
            #expect(result.authentication == nil && result.fetchTraces == nil)
            // A run asking it fails at once, as unreachable.
            let error = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(error?.kind == .unreachable)
        }
    }

    @Test("the connection test fails at authentication with a wrong token", arguments: ["jaeger", "tempo"])
    func connectionTestFailsAtAuthentication(type: String) async throws {
        try await withGRPCStandIn(GRPCTraceStoreStandIn(token: "right")) { port in
            let store = Self.store(type, port: port, token: "wrong")
            let result = await ConnectionTest.run(try #require(try TraceSources().source(for: store)))
            #expect(result.connectivity?.status == .passed)
            #expect(result.authentication?.status == .failed)
            #expect(result.fetchTraces == nil)
            #expect(
                result.authentication?.error?.contains("unauthenticated") == true,
                "\(String(describing: result.authentication))")

            let good = Self.store(type, port: port, token: "right")
            let passed = await ConnectionTest.run(try #require(try TraceSources().source(for: good)))
            #expect(passed.allPassed, "\(passed)")
        }
    }

    @Test("while the server runs, one gRPC client per store endpoint is kept and reused; shutdown closes them")
    func clientsAreReused() async throws {
        let standIn = GRPCTraceStoreStandIn()
        let traceID = TraceID.random()
        standIn.store(SampleTrace.resourceSpans(traceID))
        try await withGRPCStandIn(standIn) { port in
            let clients = StoreGRPCClients()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let group = ServiceGroup(services: [clients], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while !clients.isRunning { await Task.yield() }
                let sources = TraceSources(grpcClients: clients)
                for type in ["jaeger", "tempo", "jaeger"] {
                    let spans = try await #require(try sources.source(for: Self.store(type, port: port))).trace(traceID)
                    #expect(spans.count == 3)
                }
                // Jaeger and Tempo at the same endpoint share the client.
                #expect(clients.count == 1)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(clients.count == 0)
            // Not running: each call has a client of its own, and still works.
            let spans = try await #require(try TraceSources(grpcClients: clients).source(for: Self.jaeger(port: port)))
                .trace(traceID)
            #expect(spans.count == 3)
        }
    }

    @Test(
        "TLS: a store whose certificate the system does not trust is reached with tls.settings.cAFile",
        arguments: ["jaeger", "tempo"])
    func tlsWithOwnCA(type: String) async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)
            let standIn = GRPCTraceStoreStandIn()
            let traceID = TraceID.random()
            standIn.store(SampleTrace.resourceSpans(traceID))
            try await withGRPCStandIn(standIn, tls: (certificate, key)) { port in
                func store(caFile: String?) -> DataStore {
                    var tls = TLSSettings(insecure: false)
                    tls.settings = .init(cAFile: caFile)
                    let settings = GRPCClientSettings(endpoint: "localhost:\(port)", tls: tls)
                    return type == "jaeger"
                        ? DataStore(name: "J", type: "jaeger", jaeger: settings)
                        : DataStore(name: "T", type: "tempo", tempo: TempoSettings(type: "grpc", grpc: settings))
                }
                let trusted = try #require(try TraceSources().source(for: store(caFile: certificate)))
                #expect(try await trusted.trace(traceID).count == 3)
                // With the system's roots only, the handshake fails: the store cannot be reached.
                let untrusted = try #require(try TraceSources().source(for: store(caFile: nil)))
                let error = await #expect(throws: TraceSourceError.self) { try await untrusted.trace(traceID) }
                #expect(error?.kind == .unreachable, "\(String(describing: error))")
            }
        }
    }

    @Test("TLS: tls.serverName is the name the store's certificate is checked against", arguments: ["jaeger", "tempo"])
    func tlsServerName(type: String) async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory, name: "traces.internal")
            let standIn = GRPCTraceStoreStandIn()
            let traceID = TraceID.random()
            standIn.store(SampleTrace.resourceSpans(traceID))
            try await withGRPCStandIn(standIn, tls: (certificate, key)) { port in
                func store(serverName: String?) -> DataStore {
                    var tls = TLSSettings(insecure: false)
                    tls.serverName = serverName
                    tls.settings = .init(cAFile: certificate)
                    let settings = GRPCClientSettings(endpoint: "127.0.0.1:\(port)", tls: tls)
                    return type == "jaeger"
                        ? DataStore(name: "J", type: "jaeger", jaeger: settings)
                        : DataStore(name: "T", type: "tempo", tempo: TempoSettings(type: "grpc", grpc: settings))
                }
                let named = try #require(try TraceSources().source(for: store(serverName: "traces.internal")))
                #expect(try await named.trace(traceID).count == 3)
                // The certificate is not for 127.0.0.1.
                let unnamed = try #require(try TraceSources().source(for: store(serverName: nil)))
                let error = await #expect(throws: TraceSourceError.self) { try await unnamed.trace(traceID) }
                #expect(error?.kind == .unreachable, "\(String(describing: error))")
            }
        }
    }

    @Test("TLS: a store that requires a client certificate is reached with tls.settings.certFile and keyFile")
    func mutualTLS() async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)
            let standIn = GRPCTraceStoreStandIn()
            let traceID = TraceID.random()
            standIn.store(SampleTrace.resourceSpans(traceID))
            try await withGRPCStandIn(standIn, tls: (certificate, key), requiringClientCertificate: true) { port in
                func store(client: Bool) -> DataStore {
                    var tls = TLSSettings(insecure: false)
                    tls.settings = .init(
                        cAFile: certificate, certFile: client ? certificate : nil, keyFile: client ? key : nil)
                    return DataStore(
                        name: "J", type: "jaeger",
                        jaeger: GRPCClientSettings(endpoint: "localhost:\(port)", tls: tls))
                }
                let withCertificate = try #require(try TraceSources().source(for: store(client: true)))
                #expect(try await withCertificate.trace(traceID).count == 3)
                let without = try #require(try TraceSources().source(for: store(client: false)))
                await #expect(throws: TraceSourceError.self) { try await without.trace(traceID) }
            }
        }
    }
}
