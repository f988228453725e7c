// Measures the run routes on a big stored run: a `tracetest serve` process (the release binary beside this one, or
// TRACETEST_BINARY) gets a trace-id test with the 20 benchmark specs, a 100k-span checkout trace over OTLP/HTTP,
// and one run of it; then, over loopback HTTP:
//   - GET /api/tests/{id}/run/{runId} (the run with its trace), select, and PUT .../dry-run with the 20 specs;
//   - GET /api/tests latency, one request every 20 ms, while dry runs go on;
//   - the run list (take=20) once the test has 20 such runs (19 reruns).
//
//   scripts/benchmark-big-runs [sqlite|postgres]     (BENCH_SPANS, default 100000; BENCH_REPEAT, default 3)
//
// PostgreSQL comes from TRACETEST_TEST_POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME. Figures go to docs/BENCHMARKS.md.
import AsyncHTTPClient
import BenchmarkSupport
import Foundation
import NIOCore
import NIOHTTP1
import SwiftProtobuf
import TestSupport
import TracetestModel
import TracetestOTLP

let spanCount = Int(ProcessInfo.processInfo.environment["BENCH_SPANS"] ?? "") ?? 100_000
let repeats = Int(ProcessInfo.processInfo.environment["BENCH_REPEAT"] ?? "") ?? 3
let onlyReads = ProcessInfo.processInfo.environment["BENCH_ONLY_READS"] != nil
let backend = CommandLine.arguments.dropFirst().first ?? "sqlite"
let traceID = TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
let clock = ContinuousClock()

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
}

/// `tracetest serve` on fresh ports and a fresh database, until `stop()`.
final class Server: @unchecked Sendable {
    let process = Process()
    let port: Int
    let otlpPort: Int
    let directory: String

    init() throws {
        port = try unusedPort()
        otlpPort = try unusedPort()
        directory = NSTemporaryDirectory() + "big-run-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var yaml = """
            server:
              host: 127.0.0.1
              httpPort: \(port)
            otlpServer:
              host: 127.0.0.1
              grpcPort: \(try unusedPort())
              httpPort: \(otlpPort)
            """
        if backend == "postgres" {
            let environment = ProcessInfo.processInfo.environment
            guard let host = environment["TRACETEST_TEST_POSTGRES_HOST"] else {
                throw BenchmarkError("set TRACETEST_TEST_POSTGRES_* (scripts/benchmark-big-runs does)")
            }
            yaml += """

                postgres:
                  host: \(host)
                  port: \(environment["TRACETEST_TEST_POSTGRES_PORT"] ?? "5432")
                  user: \(environment["TRACETEST_TEST_POSTGRES_USER"] ?? "postgres")
                  password: "\(environment["TRACETEST_TEST_POSTGRES_PASSWORD"] ?? "")"
                  dbname: \(environment["TRACETEST_TEST_POSTGRES_DBNAME"] ?? "tracetest")
                  params: sslmode=disable
                """
        } else {
            yaml += "\nsqlite:\n  path: \(directory)/bench.db\n"
        }
        try yaml.write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
        let binary =
            ProcessInfo.processInfo.environment["TRACETEST_BINARY"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "tracetest"
            ).path
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", directory + "/tracetest.yaml"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        _ = FileManager.default.createFile(atPath: directory + "/server.log", contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/server.log"))
        try process.run()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(read: .seconds(600))))

struct Answer {
    var status: UInt
    var bytes: Int
    var body: ByteBuffer
    var took: Duration
}

/// Sends a request and reads the whole answer; with `keep` false the body is counted as it streams in and dropped,
/// as a client that processes a response while reading it would (the time is then the server's and the transfer's,
/// not the time to gather hundreds of megabytes in one buffer).
func request(_ method: HTTPMethod, _ url: String, _ body: String? = nil, keep: Bool = true) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
    }
    let started = clock.now
    let response = try await http.execute(request, timeout: .seconds(600))
    guard keep else {
        var count = 0
        for try await part in response.body { count += part.readableBytes }
        return Answer(status: response.status.code, bytes: count, body: ByteBuffer(), took: clock.now - started)
    }
    let collected = try await response.body.collect(upTo: 2 << 30)
    return Answer(
        status: response.status.code, bytes: collected.readableBytes, body: collected, took: clock.now - started)
}

func json(_ answer: Answer) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView), options: .fragmentsAllowed)
}

/// The checkout trace as OTLP/HTTP protobuf requests of 1,000 spans each.
func otlpRequests() throws -> [[UInt8]] {
    func attribute(_ key: String, _ text: String) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
        attribute.key = key
        attribute.value.stringValue = text
        return attribute
    }
    let spans = checkoutSpans(count: spanCount)
    return try stride(from: 0, to: spans.count, by: 1_000).map { start in
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.scope.name = "checkout"
        for span in spans[start..<min(start + 1_000, spans.count)] {
            var otlp = Opentelemetry_Proto_Trace_V1_Span()
            otlp.traceID = Data(traceID.bytes)
            otlp.spanID = Data(span.id.bytes)
            if let parent = span.parentID { otlp.parentSpanID = Data(parent.bytes) }
            otlp.name = span.name
            otlp.kind =
                switch span.kind {
                case .server: .server
                case .client: .client
                case .producer: .producer
                case .consumer: .consumer
                default: .internal
                }
            otlp.startTimeUnixNano = UInt64(span.startTimeUnixNano)
            otlp.endTimeUnixNano = UInt64(span.endTimeUnixNano)
            otlp.status.code = .ok
            otlp.attributes = span.attributes.sorted { $0.key < $1.key }.map { attribute($0.key, $0.value) }
            scope.spans.append(otlp)
        }
        var resource = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resource.resource.attributes = [attribute("service.name", "checkout")]
        resource.scopeSpans = [scope]
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        request.resourceSpans = [resource]
        return try request.serializedBytes()
    }
}

/// Waits until the run is FINISHED (read from the run list, which leaves out the big parts).
func waitForResults(_ base: String, _ testID: String, _ runID: Int) async throws {
    let deadline = clock.now + .seconds(600)
    while clock.now < deadline {
        let runs = try json(try await request(.GET, "\(base)/api/tests/\(testID)/run?take=100")) as? [[String: Any]]
        let state = runs?.first { $0["id"] as? Int == runID }?["state"] as? String ?? ""
        if state == "FINISHED" { return }
        if ["TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR", "STOPPED"].contains(state) {
            throw BenchmarkError("run \(runID) ended \(state)")
        }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw BenchmarkError("run \(runID) did not finish within 10 minutes")
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

func report(_ name: String, _ answers: [Answer], goal: Double) {
    let times = answers.map(\.took.milliseconds)
    print(
        String(
            format: "%-42@ %9.1f ms median  (%@)  %8.1f MB  goal %4.0f ms", name as NSString, median(times),
            times.map { String(format: "%.1f", $0) }.joined(separator: ", ") as NSString,
            Double(answers[0].bytes) / 1e6, goal))
}

let server = try Server()
defer { server.stop() }
let base = "http://127.0.0.1:\(server.port)"
for _ in 0..<300 {
    if (try? await request(.GET, base + "/health"))?.status == 200 { break }
    try await Task.sleep(for: .milliseconds(100))
}
print(
    "backend \(backend), \(spanCount) spans, \(repeats) repeats, \(ProcessInfo.processInfo.activeProcessorCount) cores")

let specsJSON = benchmarkSpecs.map { spec in
    let assertions = spec.assertions.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
    return
        #"{"selector":"\#(spec.selector.replacingOccurrences(of: "\"", with: "\\\""))","assertions":[\#(assertions.joined(separator: ","))]}"#
}.joined(separator: ",")
let test = """
    {"type":"Test","spec":{"id":"big","name":"big trace","trigger":{"type":"traceid","traceid":{"id":"\(traceID.hex)"}},\
    "specs":[\(specsJSON)]}}
    """
for (path, body) in [
    ("/api/tests", test),
    (
        "/api/variablesets",
        #"{"type":"VariableSet","spec":{"id":"v","name":"benchmark","values":[{"key":"VERSION","value":"v1"}]}}"#
    ),
] {
    let created = try await request(.PUT, base + path, body)
    guard created.status < 300 else {
        throw BenchmarkError("PUT \(path): HTTP \(created.status) \(String(buffer: created.body))")
    }
}
let started = try await request(.POST, base + "/api/tests/big/run", #"{"variableSetId":"v"}"#)
guard started.status == 200 else { throw BenchmarkError("run: HTTP \(started.status)") }

let ingestStarted = clock.now
for body in try otlpRequests() {
    var post = HTTPClientRequest(url: "http://127.0.0.1:\(server.otlpPort)/v1/traces")
    post.method = .POST
    post.headers.add(name: "Content-Type", value: "application/x-protobuf")
    post.body = .bytes(ByteBuffer(bytes: body))
    let response = try await http.execute(post, timeout: .seconds(60))
    _ = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok else { throw BenchmarkError("OTLP: HTTP \(response.status)") }
}
try await waitForResults(base, "big", 1)
print(
    String(
        format: "first run: spans sent and the run finished in %.1f s", (clock.now - ingestStarted).milliseconds / 1_000
    ))

// Checked once, then timed while streamed.
let run = try json(try await request(.GET, base + "/api/tests/big/run/1")) as? [String: Any]
let flat = ((run?["trace"] as? [String: Any])?["flat"] as? [String: Any])?.count ?? 0
guard flat == spanCount else { throw BenchmarkError("GET run: \(flat) spans in the trace, expected \(spanCount)") }
if ProcessInfo.processInfo.environment["BENCH_SHOW_LOG"] != nil, let run {
    let events = try json(try await request(.GET, base + "/api/tests/big/run/1/events")) as? [[String: Any]] ?? []
    for event in events { print("event \(event["createdAt"] ?? "") \(event["type"] ?? "")") }
    for (key, value) in run {
        let size = (try? JSONSerialization.data(withJSONObject: value, options: .fragmentsAllowed).count) ?? 0
        print("field \(key): \(size) bytes")
    }
}
var gets: [Answer] = []
for _ in 0..<repeats { gets.append(try await request(.GET, base + "/api/tests/big/run/1", keep: false)) }
guard gets.allSatisfy({ $0.status == 200 }) else { throw BenchmarkError("GET run: HTTP \(gets.map(\.status))") }
report("GET /api/tests/{id}/run/{runId}", gets, goal: 500)

var selects: [Answer] = []
let query = #"span[tracetest.span.type="database"]"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
for _ in 0..<repeats { selects.append(try await request(.GET, base + "/api/tests/big/run/1/select?query=\(query)")) }
let selected = ((try json(selects[0]) as? [String: Any])?["spanIds"] as? [Any])?.count ?? 0
guard selected > 0 else { throw BenchmarkError("select: no span selected") }
report("GET .../select (\(selected) spans)", selects, goal: 200)

let dryRunBody = #"{"specs":[\#(specsJSON)]}"#
let latencies = LatencyProbe()
var dryRuns: [Answer] = []
try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await latencies.run(base + "/api/tests") }
    for _ in 0..<repeats { dryRuns.append(try await request(.PUT, base + "/api/tests/big/run/1/dry-run", dryRunBody)) }
    await latencies.stop()
    try await group.waitForAll()
}
guard dryRuns.allSatisfy({ $0.status == 200 }) else { throw BenchmarkError("dry-run: HTTP \(dryRuns.map(\.status))") }
report("PUT .../dry-run (20 specs)", dryRuns, goal: 1_000)
let probe = await latencies.times
print(
    String(
        format: "%-42@ %9.1f ms p50, %.1f ms p99, %.1f ms max (%d requests)  goal 50 ms",
        "GET /api/tests during the dry runs" as NSString, percentile(probe, 0.5), percentile(probe, 0.99),
        probe.max() ?? 0, probe.count))

if !onlyReads {
    for number in 2...20 {
        let rerun = try await request(.POST, base + "/api/tests/big/run/1/rerun")
        guard rerun.status == 200 else { throw BenchmarkError("rerun: HTTP \(rerun.status)") }
        try await waitForResults(base, "big", number)
    }
    var lists: [Answer] = []
    for _ in 0..<repeats { lists.append(try await request(.GET, base + "/api/tests/big/run?take=20")) }
    guard (try json(lists[0]) as? [Any])?.count == 20 else {
        throw BenchmarkError("the run list does not hold 20 runs")
    }
    report("GET /api/tests/{id}/run?take=20 (20 runs)", lists, goal: 200)
}
if ProcessInfo.processInfo.environment["BENCH_SHOW_LOG"] != nil {
    print((try? String(contentsOfFile: server.directory + "/server.log", encoding: .utf8)) ?? "")
}

/// Sends a GET every 20 ms and keeps each latency, until stopped.
actor LatencyProbe {
    private(set) var times: [Double] = []
    private var stopped = false

    func stop() { stopped = true }

    func run(_ url: String) async throws {
        while !stopped {
            let answer = try await request(.GET, url)
            guard answer.status == 200 else { throw BenchmarkError("GET \(url): HTTP \(answer.status)") }
            times.append(answer.took.milliseconds)
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
