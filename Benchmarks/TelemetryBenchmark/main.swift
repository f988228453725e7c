// Measures the cost of the internal telemetry: `GET /api/tests` throughput of a server with telemetry off and of one
// exporting every span (sampling 100 %) to a real OTLP/gRPC receiver, in alternating rounds of the same run.
//
//   swift run -c release TelemetryBenchmark     (scripts/benchmark-telemetry)
//
// Environment: BENCH_REQUESTS (4000 per round), BENCH_ROUNDS (6), BENCH_CONCURRENCY (4). Both servers run in this
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
let concurrency = Int(environment["BENCH_CONCURRENCY"] ?? "") ?? 4

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}

/// Sends `count` list requests from `concurrency` clients; returns requests per second.
func measure(_ api: TestAPI, count: Int) async throws -> Double {
    let started = ContinuousClock.now
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
    return Double(count) / seconds
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
                    var offRates: [Double] = []
                    var onRates: [Double] = []
                    for round in 0..<rounds {
                        // Alternate which server goes first, so drift affects both alike.
                        if round % 2 == 0 {
                            offRates.append(try await measure(offAPI, count: requestsPerRound))
                            onRates.append(try await measure(onAPI, count: requestsPerRound))
                        } else {
                            onRates.append(try await measure(onAPI, count: requestsPerRound))
                            offRates.append(try await measure(offAPI, count: requestsPerRound))
                        }
                        print(
                            String(
                                format: "round %d: off %.0f req/s, on %.0f req/s", round + 1, offRates.last!,
                                onRates.last!))
                    }
                    // Let the last batches reach the receiver before counting.
                    try await Task.sleep(for: .seconds(2))
                    let exported = try receiver.discardedSpanCount() - warmedUp
                    let offMedian = median(offRates)
                    let onMedian = median(onRates)
                    print(
                        "GET /api/tests, \(rounds) rounds of \(requestsPerRound) requests from \(concurrency) connections"
                    )
                    print(String(format: "telemetry off:           median %.0f req/s", offMedian))
                    print(String(format: "telemetry sampling 100%%: median %.0f req/s", onMedian))
                    print(
                        String(
                            format: "ratio on/off: %.3f (overhead %.1f %%)", onMedian / offMedian,
                            (1 - onMedian / offMedian) * 100))
                    let perRequest = Double(exported) / Double(rounds * requestsPerRound)
                    print(String(format: "spans exported while measuring: %d (%.2f per request)", exported, perRequest))
                }
            }
        }
    }
    await receiver.kill()
}

try await runBenchmark()
