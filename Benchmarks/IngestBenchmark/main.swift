// Measures the OTLP receiver: 512-span batches sent over gRPC and over HTTP, stored for a trace that a TraceID run
// waits for (as a real run: started through the API, its trace wait woken by every arrival, finished afterwards)
// and accepted into the recent-traces buffer, plus reading back and assembling a stored 100k-span trace.
//
//   swift run -c release IngestBenchmark [sqlite|postgres]...   (scripts/benchmark-ingest runs both)
//   swift run -c release IngestBenchmark readback               (stored-trace reads alone, five times, SQLite)
//   swift run -c release IngestBenchmark assemble               (assembly alone, five times)
//
// PostgreSQL comes from TRACETEST_TEST_POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME. The server runs in this process;
// request bytes are built before timing starts. Figures go to docs/BENCHMARKS.md.
import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import Logging
import NIOCore
import ServiceLifecycle
import SwiftProtobuf
import TracetestConfig
import TracetestIngest
import TracetestModel
import TracetestOTLP
import TracetestServer
import TracetestStorage

let batchSize = 512
let batches = Int(ProcessInfo.processInfo.environment["BENCH_BATCHES"] ?? "") ?? 200
let concurrency = 4

/// One export request of `batchSize` spans of `traceID`, as protobuf bytes: a parent-child chain in groups of 8,
/// ten attributes per span, like an instrumented HTTP service.
func requestBytes(traceID: TraceID, batch: Int) throws -> [UInt8] {
    func value(_ text: String) -> Opentelemetry_Proto_Common_V1_AnyValue {
        var value = Opentelemetry_Proto_Common_V1_AnyValue()
        value.stringValue = text
        return value
    }
    func attribute(_ key: String, _ text: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
        attribute.key = key
        attribute.value = value(text)
        return attribute
    }
    var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
    scope.scope.name = "benchmark"
    let start: UInt64 = 1_700_000_000_000_000_000
    for index in 0..<batchSize {
        let id = UInt64(batch * batchSize + index + 1)
        var span = Opentelemetry_Proto_Trace_V1_Span()
        span.traceID = Data(traceID.bytes)
        span.spanID = Data(SpanID(id).bytes)
        if index % 8 != 0 { span.parentSpanID = Data(SpanID(id - 1).bytes) }
        span.name = "GET /api/items/\(index % 50)"
        span.kind = index % 2 == 0 ? .server : .client
        span.startTimeUnixNano = start + id * 1_000
        span.endTimeUnixNano = start + id * 1_000 + 250_000
        span.attributes = [
            attribute("http.method", "GET"), attribute("http.route", "/api/items/:id"),
            attribute("http.url", "http://shop:8080/api/items/\(index)"), attribute("http.status_code", "200"),
            attribute("net.peer.name", "shop"), attribute("user.id", "user-\(index % 97)"),
            attribute("db.system", "postgresql"), attribute("db.statement", "SELECT * FROM items WHERE id = $1"),
            attribute("thread.name", "worker-\(index % 4)"), attribute("component", "benchmark"),
        ]
        scope.spans.append(span)
    }
    var resource = Opentelemetry_Proto_Trace_V1_ResourceSpans()
    resource.resource.attributes = [attribute("service.name", "shop"), attribute("service.version", "1.0.0")]
    resource.scopeSpans = [scope]
    var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
    request.resourceSpans = [resource]
    return try request.serializedBytes()
}

struct RawBytes: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

/// Sends every request with `concurrency` senders; returns the elapsed seconds.
func send(_ requests: [[UInt8]], _ transport: String, grpcPort: Int, httpPort: Int) async throws -> Double {
    let clock = ContinuousClock()
    let started = clock.now
    if transport == "gRPC" {
        try await withGRPCClient(
            transport: try .http2NIOPosix(
                target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        ) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<concurrency {
                    group.addTask {
                        for request in requests[sender...].striding(by: concurrency) {
                            try await client.unary(
                                request: ClientRequest(message: request),
                                descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export
                                    .descriptor,
                                serializer: RawBytes(),
                                deserializer: ProtobufDeserializer<
                                    Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
                                >(),
                                options: .defaults
                            ) { _ = try $0.message }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    } else {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<concurrency {
                group.addTask {
                    for request in requests[sender...].striding(by: concurrency) {
                        var post = HTTPClientRequest(url: "http://127.0.0.1:\(httpPort)/v1/traces")
                        post.method = .POST
                        post.headers.add(name: "Content-Type", value: "application/x-protobuf")
                        post.body = .bytes(ByteBuffer(bytes: request))
                        let response = try await HTTPClient.shared.execute(post, timeout: .seconds(60))
                        guard response.status == .ok else { throw BenchmarkError("HTTP \(response.status)") }
                        _ = try await response.body.collect(upTo: 1 << 20)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    return (clock.now - started).seconds
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension ArraySlice {
    func striding(by step: Int) -> [Element] { stride(from: startIndex, to: endIndex, by: step).map { self[$0] } }
}

func peakRSSMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

func configuration(for backend: String, directory: String) throws -> ServerConfiguration {
    var configuration = ServerConfiguration()
    configuration.server.host = "127.0.0.1"
    configuration.server.httpPort = 0
    configuration.otlpServer.host = "127.0.0.1"
    configuration.otlpServer.grpcPort = 0
    configuration.otlpServer.httpPort = 0
    configuration.otlpServer.recentTraces.maxSpans = 2 * batches * batchSize
    if backend == "postgres" {
        let environment = ProcessInfo.processInfo.environment
        guard let host = environment["TRACETEST_TEST_POSTGRES_HOST"] else {
            throw BenchmarkError(
                "set TRACETEST_TEST_POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME (scripts/benchmark-ingest does)")
        }
        configuration.postgres = PostgresConnectionSettings(
            host: host, port: Int(environment["TRACETEST_TEST_POSTGRES_PORT"] ?? "") ?? 5432,
            user: environment["TRACETEST_TEST_POSTGRES_USER"] ?? "postgres",
            password: environment["TRACETEST_TEST_POSTGRES_PASSWORD"] ?? "",
            database: environment["TRACETEST_TEST_POSTGRES_DBNAME"] ?? "tracetest", sslMode: .disable)
    } else {
        configuration.sqlite.path = directory + "/bench.db"
    }
    return configuration
}

func run(backend: String) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-bench-\(UUID().uuidString)")
        .path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let ports = PortBox()
    // Runs wait until no span arrived for 3 s, so a run's wait lasts the whole ingest.
    let provisioning = try Provisioning.parse(
        """
        type: PollingProfile
        spec:
          id: current
          name: benchmark
          default: true
          strategy: periodic
          periodic:
            retryDelay: 3s
            timeout: 5m
        ---
        type: Test
        spec:
          id: ingest
          name: Ingest benchmark
          trigger:
            type: traceid
            traceid:
              id: ${var:TRACE_ID}
        """, source: "benchmark")
    let server = try await TracetestServer.make(
        configuration: try configuration(for: backend, directory: directory), provisioning: provisioning,
        logger: logger, onListening: { listener, port in await ports.set(listener, port) })
    let group = ServiceGroup(configuration: .init(services: server.services, logger: logger))
    let running = Task { try await group.run() }
    let (grpcPort, httpPort) = try await ports.wait()
    let api = await ports.ports[.api] ?? 0

    print("\n\(backend): \(batches) batches of \(batchSize) spans per measurement, \(concurrency) concurrent senders")
    print("| transport | destination | spans | seconds | spans/s |")
    print("|---|---|---|---|---|")
    var storedRun: (TraceID, Int)?
    // A first round of a tenth of the size, not shown, warms the process up (memory taken from the system, the
    // database's first pages, the runs' first evaluation).
    for (round, count) in [(0, max(1, batches / 10)), (1, batches)] {
        for transport in ["gRPC", "HTTP"] {
            for destination in ["stored (run waits)", "recent-traces buffer"] {
                let stored = destination.hasPrefix("stored")
                let traces = stored ? [TraceID.random()] : (0..<count).map { _ in TraceID.random() }
                let requests = try (0..<count).map { try requestBytes(traceID: traces[$0 % traces.count], batch: $0) }
                let runID = stored ? try await startRun(api: api, traceID: traces[0]) : nil
                let seconds = try await send(requests, transport, grpcPort: grpcPort, httpPort: httpPort)
                let spans = count * batchSize
                if round == 1 {
                    print(
                        "| \(transport) | \(destination) | \(spans) | \(String(format: "%.2f", seconds)) | \(Int(Double(spans) / seconds)) |"
                    )
                }
                if let runID {
                    let (state, traceSpans) = try await finish(api: api, runID: runID, store: server.store)
                    guard state == "FINISHED", traceSpans == spans + 1 else {
                        throw BenchmarkError(
                            "the run ended \(state) with \(traceSpans) spans, not FINISHED with \(spans + 1)")
                    }
                    storedRun = (traces[0], runID)
                }
            }
        }
    }
    if let (storedTrace, runID) = storedRun {
        // The run has saved the trace and its arrival rows are compacted away: a TraceID re-run reads the saved trace.
        let clock = ContinuousClock()
        var started = clock.now
        let spans = try await SpanRepository(database: server.store.database).spans(of: storedTrace)
        let read = clock.now - started
        print(
            "a \(spans.count)-span stored trace, read as a TraceID re-run reads it: \(Int(read.seconds * 1000)) ms; "
                + "arrival rows left: \(try await arrivalRows(of: storedTrace, in: server.store))")
        started = clock.now
        let runSpans = try await server.store.runs.trace(testID: "ingest", runID: runID) ?? []
        let runTrace = Trace(traceID: storedTrace, assembled: runSpans)
        print(
            "the run's stored \(runTrace.count)-span trace: read and assembled in "
                + "\(Int((clock.now - started).seconds * 1000)) ms")
    }
    print("peak RSS: \(Int(peakRSSMiB())) MiB")
    await group.triggerGracefulShutdown()
    try await running.value
}

/// Starts a run of the TraceID test for `traceID` and waits until it waits for the trace; returns its id.
func startRun(api: Int, traceID: TraceID) async throws -> Int {
    var post = HTTPClientRequest(url: "http://127.0.0.1:\(api)/api/tests/ingest/run")
    post.method = .POST
    post.headers.add(name: "Content-Type", value: "application/json")
    post.body = .bytes(ByteBuffer(string: #"{"variables":[{"key":"TRACE_ID","value":"\#(traceID.hex)"}]}"#))
    let run = try await json(try await HTTPClient.shared.execute(post, timeout: .seconds(30)))
    guard let id = (run["id"]?.plainText).flatMap({ Int($0) }) else { throw BenchmarkError("no run: \(run)") }
    for _ in 0..<600 {
        if try await get(api: api, "/api/tests/ingest/run/\(id)?trace=false")["state"]?.plainText == "AWAITING_TRACE" {
            return id
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw BenchmarkError("run \(id) did not start waiting for its trace")
}

func arrivalRows(of traceID: TraceID, in store: Store) async throws -> Int {
    try await store.database.read { db in
        try await db.query("SELECT COUNT(*) AS n FROM otlp_span_batches WHERE trace_id = $1", [.text(traceID.hex)])
    }.first?.int("n") ?? 0
}

/// Waits for the run to end; returns its state and how many spans its saved trace has.
func finish(api: Int, runID: Int, store: Store) async throws -> (String, Int) {
    for _ in 0..<1_200 {
        let state = try await get(api: api, "/api/tests/ingest/run/\(runID)?trace=false")["state"]?.plainText ?? ""
        if !["CREATED", "EXECUTING", "AWAITING_TRACE", "ANALYZING_TRACE", "AWAITING_TEST_RESULTS"].contains(state) {
            return (state, try await store.runs.trace(testID: "ingest", runID: runID)?.count ?? 0)
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw BenchmarkError("run \(runID) did not end")
}

func get(api: Int, _ path: String) async throws -> JSONValue {
    try await json(
        try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(api)\(path)"), timeout: .seconds(30)))
}

func json(_ response: HTTPClientResponse) async throws -> JSONValue {
    let body = try await response.body.collect(upTo: 1 << 30)
    guard let value = JSONParser.parse(String(buffer: body)) else {
        throw BenchmarkError("not JSON: \(String(buffer: body))")
    }
    return value
}

actor PortBox {
    var ports: [TracetestServer.Listener: Int] = [:]
    func set(_ listener: TracetestServer.Listener, _ port: Int) { ports[listener] = port }
    func wait() async throws -> (Int, Int) {
        for _ in 0..<600 {
            if let grpc = ports[.otlpGRPC], let http = ports[.otlpHTTP], ports[.api] != nil { return (grpc, http) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the server did not start")
    }
}

/// Assembles a trace of `count` spans shaped like the batches above, five times, and prints the times.
func assemble(count: Int) {
    func makeSpans() -> [Span] {
        var spans: [Span] = []
        for index in 0..<count {
            var attributes: [String: String] = [:]
            for key in 0..<13 { attributes["attribute.\(key)"] = "value-\(index % 97)" }
            let start = Int64(index) * 1_000
            spans.append(
                Span(
                    id: SpanID(UInt64(index + 1)), parentID: index % 8 == 0 ? nil : SpanID(UInt64(index)),
                    name: "GET /api/items/\(index % 50)", kind: .server, startTimeUnixNano: start,
                    endTimeUnixNano: start + 250_000, attributes: attributes)
            )
        }
        return spans
    }
    let traceID = TraceID.random()
    let clock = ContinuousClock()
    let times = (0..<5).map { _ in
        let spans = makeSpans()
        let started = clock.now
        let trace = Trace(traceID: traceID, spans: spans)
        let elapsed = clock.now - started
        precondition(trace.count == count + 1)
        return Int(elapsed.seconds * 1000)
    }
    print("assembled a \(count)-span trace: \(times.map { "\($0) ms" }.joined(separator: ", "))")
}

/// Stores a trace of `batches` × 512 spans in SQLite as the receiver does (one row per batch), reads it back and
/// assembles it five times, then does the same with it stored as a run's final trace (one row); prints the times.
func readBack() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readback-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let logger = Logger(label: "readback")
    let database = try await SQLiteDatabase.open(path: directory.appendingPathComponent("t.db").path, logger: logger)
    let store = Store(database: database)
    try await store.migrate(logger: logger)
    let traceID = TraceID.random()
    let start: Int64 = 1_700_000_000_000_000_000
    for batch in 0..<batches {
        var spans: [Span] = []
        for index in 0..<batchSize {
            let id = UInt64(batch * batchSize + index + 1)
            var span = Span(
                id: SpanID(id), parentID: index % 8 == 0 ? nil : SpanID(id - 1), name: "GET /api/items/\(index % 50)",
                kind: index % 2 == 0 ? .server : .client, startTimeUnixNano: start + Int64(id) * 1_000,
                endTimeUnixNano: start + Int64(id) * 1_000 + 250_000,
                attributes: [
                    "http.method": "GET", "http.route": "/api/items/:id",
                    "http.url": "http://shop:8080/api/items/\(index)",
                    "http.status_code": "200", "net.peer.name": "shop", "user.id": "user-\(index % 97)",
                    "db.system": "postgresql", "db.statement": "SELECT * FROM items WHERE id = $1",
                    "thread.name": "worker-\(index % 4)", "component": "benchmark", "service.name": "shop",
                    "service.version": "1.0.0",
                ], status: SpanStatus(code: "STATUS_CODE_UNSET"))
            Trace.injectMetadata(into: &span, now: start)
            spans.append(span)
        }
        try await store.spans.append(spans, to: traceID)
    }
    let clock = ContinuousClock()
    var assembled: Trace?
    for _ in 0..<5 {
        let started = clock.now
        let spans = try await store.spans.spans(of: traceID)
        let read = clock.now - started
        let trace = Trace(traceID: traceID, spans: spans)
        let total = clock.now - started
        print(
            "batches: read \(trace.count) spans in \(Int(read.seconds * 1000)) ms, assembled in \(Int(total.seconds * 1000)) ms in all"
        )
        assembled = trace
    }
    let run = try await store.runs.create(TestRun(id: 1, testID: "readback", testVersion: 1, traceID: traceID))
    try await store.runs.saveTrace(assembled!.spans, document: "{}", of: run)

    assembled = nil
    for _ in 0..<5 {
        let started = clock.now
        let spans = try await store.runs.trace(testID: "readback", runID: run.id)!
        let read = clock.now - started
        let trace = Trace(traceID: traceID, assembled: spans)
        let total = clock.now - started
        print(
            "run trace: read \(trace.count) spans in \(Int(read.seconds * 1000)) ms, assembled in \(Int(total.seconds * 1000)) ms in all"
        )
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["assemble"] {
    assemble(count: 100_000)
} else if arguments == ["readback"] {
    try await readBack()
} else {
    for backend in arguments.isEmpty ? ["sqlite"] : arguments { try await run(backend: backend) }
}
