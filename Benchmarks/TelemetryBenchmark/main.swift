// Measures the cost of the internal telemetry: `GET /api/tests` from one client at a time (as agent overhead
// benchmarks measure: few users, so the latency added is what shows) against a server with telemetry off and one
// exporting every span (sampling 100 %) to a real OTLP/gRPC receiver, in alternating rounds of the same run. Prints
// the mean latency and the CPU time this process spent per request (server and client; the receiver is another
// process, so its CPU is not counted).
//
//   swift run -c release TelemetryBenchmark     (scripts/benchmark-telemetry)
//
// Environment: BENCH_REQUESTS (4000 per round), BENCH_ROUNDS (6), BENCH_CONCURRENCY (1). Both servers run in this
// process on SQLite, with the same 20 stored tests; the receiver (Python, grpcio) counts spans and discards them.
// Figures go to docs/BENCHMARKS.md.
import AsyncHTTPClient
import Foundation
import ServerTestSupport
import TestSupport
import TracetestConfig

let environment = ProcessInfo.processInfo.environment
let requestsPerRound = Int(environment["BENCH_REQUESTS"] ?? "") ?? 4000
let rounds = Int(environment["BENCH_ROUNDS"] ?? "") ?? 6
let concurrency = Int(environment["BENCH_CONCURRENCY"] ?? "") ?? 1

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

/// What a round measured.
struct Round {
    var requestsPerSecond: Double
    /// CPU time of this process per request, in microseconds.
    var cpuMicroseconds: Double
}

/// User and system CPU time of this process, in microseconds.
func processCPUMicroseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
}

/// Sends `count` list requests from `concurrency` clients.
func measure(_ api: TestAPI, count: Int) async throws -> Round {
    let started = ContinuousClock.now
    let cpu = processCPUMicroseconds()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                for _ in stride(from: worker, to: count, by: concurrency) {
                    let response = try await api.get("/api/tests")
                    guard response.status == 200, response.body.contains("\"count\":20") else {
                        throw BenchmarkFailure(description: "unexpected response: \(response)")
                    }
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Round(
        requestsPerSecond: Double(count) / seconds,
        cpuMicroseconds: (processCPUMicroseconds() - cpu) / Double(count))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func seed(_ api: TestAPI) async throws {
    for index in 0..<20 {
        let body =
            #"{"type":"Test","spec":{"id":"bench-\#(index)","name":"bench \#(index)","trigger":{"type":"http","#
            + #""httpRequest":{"url":"http://app:8080/items/\#(index)","method":"GET","#
            + #""headers":[{"key":"Accept","value":"application/json"}]}},"#
            + #""specs":[{"selector":"span[tracetest.span.type=\"http\"]","#
            + #""assertions":["attr:http.status_code = 200"]}]}}"#
        let response = try await api.post("/api/tests", body, headers: ["Content-Type": "application/json"])
        guard response.status == 201 else { throw BenchmarkFailure(description: "seeding failed: \(response)") }
    }
}

func runBenchmark() async throws {
    let receiver = try await OTLPTestReceiver.start(discard: true)
    try await withTestConfiguration(.sqlite) { offConfiguration in
        try await withTestConfiguration(.sqlite) { onConfiguration in
            var off = offConfiguration
            off.otlpServer.enabled = false
            var on = onConfiguration
            on.otlpServer.enabled = false
            on.telemetry.exporters["collector"] = ExporterSettings(
                serviceName: "tracetest", sampling: 100, metricsReaderInterval: .seconds(10), exporterType: "collector",
                collectorEndpoint: receiver.grpcEndpoint)
            on.server.telemetry.exporter = "collector"
            try await withRunningServer(off) { offAPI in
                try await withRunningServer(on) { onAPI in
                    try await seed(offAPI)
                    try await seed(onAPI)
                    _ = try await measure(offAPI, count: 500)
                    _ = try await measure(onAPI, count: 500)
                    let warmedUp = try receiver.discardedSpanCount()
                    var offRounds: [Round] = []
                    var onRounds: [Round] = []
                    for round in 0..<rounds {
                        // Alternate which server goes first, so drift affects both alike.
                        if round % 2 == 0 {
                            offRounds.append(try await measure(offAPI, count: requestsPerRound))
                            onRounds.append(try await measure(onAPI, count: requestsPerRound))
                        } else {
                            onRounds.append(try await measure(onAPI, count: requestsPerRound))
                            offRounds.append(try await measure(offAPI, count: requestsPerRound))
                        }
                        print(
                            String(
                                format: "round %d: off %.0f req/s, %.0f µs CPU/req; on %.0f req/s, %.0f µs CPU/req",
                                round + 1, offRounds.last!.requestsPerSecond, offRounds.last!.cpuMicroseconds,
                                onRounds.last!.requestsPerSecond, onRounds.last!.cpuMicroseconds))
                    }
                    // Let the last batches reach the receiver before counting.
                    try await Task.sleep(for: .seconds(2))
                    let exported = try receiver.discardedSpanCount() - warmedUp
                    let (offRate, onRate) = (
                        median(offRounds.map(\.requestsPerSecond)), median(onRounds.map(\.requestsPerSecond))
                    )
                    let (offCPU, onCPU) = (
                        median(offRounds.map(\.cpuMicroseconds)), median(onRounds.map(\.cpuMicroseconds))
                    )
                    print(
                        "GET /api/tests, \(rounds) rounds of \(requestsPerRound) requests from \(concurrency) connection(s)"
                    )
                    print(
                        String(
                            format:
                                "telemetry off:           median %.0f req/s (mean latency %.0f µs), %.0f µs CPU/req",
                            offRate, 1e6 * Double(concurrency) / offRate, offCPU))
                    print(
                        String(
                            format:
                                "telemetry sampling 100%%: median %.0f req/s (mean latency %.0f µs), %.0f µs CPU/req",
                            onRate, 1e6 * Double(concurrency) / onRate, onCPU))
                    print(
                        String(
                            format: "latency overhead %.1f %%, CPU per request overhead %.1f %%",
                            (offRate / onRate - 1) * 100, (onCPU / offCPU - 1) * 100))
                    let perRequest = Double(exported) / Double(rounds * requestsPerRound)
                    print(String(format: "spans exported while measuring: %d (%.2f per request)", exported, perRequest))
                }
            }
        }
    }
    await receiver.kill()
}

try await runBenchmark()
