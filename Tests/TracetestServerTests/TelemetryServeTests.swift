import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig

/// `tracetest serve` with internal telemetry, as a process: configuration errors, and a collector that is down or
/// goes away, which must never stop the server.
@Suite("Telemetry: tracetest serve")
struct TelemetryServeTests {
    func withConfigFile<R>(_ yaml: String, _ body: (String) async throws -> R) async throws -> R {
        try await withTemporaryDirectory { directory in
            try yaml.write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
            return try await body(directory)
        }
    }

    static func yaml(endpoint: String, metricsInterval: String = "1s") -> String {
        """
        server: {host: 127.0.0.1, httpPort: 0, telemetry: {exporter: collector}}
        otlpServer: {enabled: false}
        telemetry:
          exporters:
            collector:
              serviceName: tracetest
              sampling: 100
              metricsReaderInterval: \(metricsInterval)
              exporter:
                type: collector
                collector:
                  endpoint: \(endpoint)

        """
    }

    @Test("an exporter name that is not in telemetry.exporters stops start-up with the options")
    func unknownExporterName() async throws {
        let yaml = Self.yaml(endpoint: "127.0.0.1:4317").replacingOccurrences(
            of: "exporter: collector}", with: "exporter: jaeger}")
        try await withConfigFile(yaml) { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(
                server.log.contains(
                    #"tracetest.yaml:1:62: server.telemetry.exporter: invalid exporter option: "jaeger". "#
                        + "Available options: [collector]"), "\(server.log)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/tracetest.db"))
        }
    }

    @Test("an unknown exporter type stops start-up naming the key")
    func unknownExporterType() async throws {
        let yaml = Self.yaml(endpoint: "127.0.0.1:4317").replacingOccurrences(
            of: "type: collector", with: "type: zipkin")
        try await withConfigFile(yaml) { directory in
            let server = try ServerProcess(["serve"], in: directory)
            #expect(try await server.waitForExit() == 1)
            #expect(
                server.log.contains(
                    #"telemetry.exporters.collector.exporter.type: expected one of "collector", "otlphttp", "#
                        + #"got "zipkin""#), "\(server.log)")
        }
    }

    @Test("a collector that is down at start: the server serves, warns once, and exports once it is up")
    func collectorDownAtStart() async throws {
        let first = try await OTLPTestReceiver.start()
        await first.kill()
        try await withConfigFile(Self.yaml(endpoint: first.grpcEndpoint)) { directory in
            let process = try ServerProcess(["serve"], in: directory)
            let api = TestAPI(port: try await process.waitUntilListening())
            try await waitForLog(process, "cannot export spans to exporter \"collector\"") {
                let response = try await api.get("/api/tests")
                #expect(response.status == 200)
            }
            let receiver = try await first.restart()
            _ = try await receiver.wait(for: "route spans after the collector started", timeout: .seconds(90)) {
                receiver in
                _ = try await api.get("/api/tests")
                return try receiver.spans().contains { $0.name == "GET /api/tests" } ? true : nil
            }
            try await waitForLog(process, "exporting spans to exporter \"collector\"") {
                _ = try await api.get("/api/tests")
            }
            process.signal(SIGTERM)
            #expect(try await process.waitForExit() == 0)
            #expect(process.log.components(separatedBy: "cannot export spans").count == 2, "one warning")
            // The spans of the requests made while the collector was down are lost, and the log says how many.
            let lost = process.log.firstMatch(of: /works again; ([0-9]+) spans were lost meanwhile/)
            #expect(Int(lost?.1 ?? "") ?? 0 > 0, "\(process.log)")
        }
    }

    @Test("a collector killed under load: every request is served, spans are dropped and counted, memory stays bounded")
    func collectorKilledUnderLoad() async throws {
        let receiver = try await OTLPTestReceiver.start()
        try await withConfigFile(Self.yaml(endpoint: receiver.grpcEndpoint)) { directory in
            let process = try ServerProcess(["serve"], in: directory)
            let api = TestAPI(port: try await process.waitUntilListening())
            try await load(api, requests: 300)
            _ = try await receiver.wait(for: "spans before the kill") { receiver in
                try receiver.spans().count > 100 ? true : nil
            }
            let before = residentMegabytes(process)
            await receiver.kill()
            // Each request makes a route span and database spans: far more than the queue of 2048 holds.
            try await waitForLog(process, "spans are dropped until export recovers", timeout: .seconds(120)) {
                try await load(api, requests: 1000)
            }
            try await load(api, requests: 3000)
            let during = residentMegabytes(process)
            #expect(during - before < 100, "RSS grew from \(before) MiB to \(during) MiB while the collector was down")

            let restarted = try await receiver.restart()
            try await waitForLog(process, "exporting spans to exporter \"collector\"", timeout: .seconds(120)) {
                try await load(api, requests: 20)
            }
            let dropped = try await restarted.wait(for: "the dropped-span counter", timeout: .seconds(60)) { receiver in
                try receiver.metricExports().compactMap { $0.metric("tracetest.telemetry.dropped_spans") }.last?
                    .points.first?.value
            }
            #expect(dropped > 0)
            process.signal(SIGTERM)
            #expect(try await process.waitForExit(timeout: .seconds(60)) == 0)
            let log = process.log
            #expect(log.components(separatedBy: "cannot export spans").count == 2, "one warning when export fails")
            #expect(log.components(separatedBy: "spans are dropped until").count == 2, "one warning when dropping")
            #expect(log.components(separatedBy: "works again; ").count == 2, "one line when it recovers")
            #expect(!log.contains("Failed to export batch"), "swift-otel's own per-batch warnings are not shown")
        }
    }

    /// Sends `requests` list requests from 4 connections; every one must succeed.
    func load(_ api: TestAPI, requests: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for _ in stride(from: worker, to: requests, by: 4) {
                        let response = try await api.get("/api/tests?take=5")
                        #expect(response.status == 200)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Repeats `action` until the server log contains `text`.
    func waitForLog(
        _ process: ServerProcess, _ text: String, timeout: Duration = .seconds(60), _ action: () async throws -> Void
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !process.log.contains(text) {
            guard ContinuousClock.now < deadline else {
                throw TestServerError("the log never said \"\(text)\":\n\(process.log)")
            }
            try await action()
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func residentMegabytes(_ process: ServerProcess) -> Int {
        let status =
            (try? String(contentsOfFile: "/proc/\(process.process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kilobytes / 1024
    }
}
