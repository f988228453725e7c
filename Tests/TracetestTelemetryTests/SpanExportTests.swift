import CompressNIO
import Foundation
import Hummingbird
import NIOCore
import ServerTestSupport
import ServiceLifecycle
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing
import TracetestConfig
import TracetestModel
import TracetestOTLP

@testable import TracetestTelemetry

/// Span recording and export: the pure parts (trace context, sampling, the queue, the `OTEL_*` variables) and the
/// exporter against OTLP/HTTP stand-ins that answer as collectors do.
@Suite("Span export")
struct SpanExportTests {
    @Test("traceparent: W3C version 00 and later versions read; malformed, upper-case or all-zero ids refused")
    func traceparent() throws {
        let valid = try #require(
            SpanContext(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "a=1"))
        #expect(valid.traceID.hex == "0af7651916cd43dd8448eb211c80319c" && valid.spanID.hex == "b7ad6b7169203331")
        #expect(valid.isSampled && valid.traceState == "a=1" && !valid.isLocalRecording)
        #expect(valid.traceparent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        let unsampled = SpanContext(
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", tracestate: nil)
        #expect(unsampled?.isSampled == false)
        #expect(
            SpanContext(traceparent: "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later", tracestate: nil)
                != nil, "a later version may add fields")
        for malformed in [
            "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
            "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
            "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-x1",
        ] {
            #expect(SpanContext(traceparent: malformed, tracestate: nil) == nil, "\(malformed)")
        }
    }

    @Test("sampling decides by trace id: the same for every span of a trace, the configured share of traces")
    func sampler() {
        var generator = SplitMix64(state: 21)
        let ids = (0..<20_000).map { _ in TraceID(high: generator.next(), low: generator.next()) }
        #expect(ids.allSatisfy { TraceSampler(percent: 100).isSampled($0) })
        #expect(!ids.contains { TraceSampler(percent: 0).isSampled($0) })
        let quarter = TraceSampler(percent: 25)
        let sampled = ids.filter { quarter.isSampled($0) }.count
        #expect((4_500...5_500).contains(sampled), "\(sampled) of 20,000")
        #expect(ids.prefix(100).allSatisfy { quarter.isSampled($0) == quarter.isSampled($0) })
        let recorder = SpanRecorder(sampler: quarter, queue: SpanQueue(capacity: 10))
        for id in ids.prefix(200) {
            let parent = SpanContext(
                traceID: id, spanID: .random(), isSampled: true, traceState: "", isLocalRecording: false)
            #expect((recorder.start("child", kind: .internal, parent: parent) != nil) == quarter.isSampled(id))
        }
    }

    @Test("the queue keeps what fits, counts what does not, and hands out batches oldest first")
    func queue() {
        let queue = SpanQueue(capacity: 3)
        let recorder = SpanRecorder(sampler: TraceSampler(percent: 100), queue: queue)
        for index in 0..<5 { recorder.start("span \(index)", kind: .internal, parent: nil)?.end() }
        let first = queue.take(upTo: 2)
        #expect(first.spans.map(\.name) == ["span 0", "span 1"] && first.dropped == 2)
        let second = queue.take(upTo: 2)
        #expect(second.spans.map(\.name) == ["span 2"] && second.dropped == 0)
        recorder.start("span 5", kind: .internal, parent: nil)?.end()
        for index in 6..<10 { recorder.start("span \(index)", kind: .internal, parent: nil)?.end() }
        #expect(queue.takeDropped() == 2 && queue.takeDropped() == 0)
        #expect(queue.take(upTo: 10).spans.map(\.name) == ["span 5", "span 6", "span 7"])
    }

    @Test("a span records until it ends; what is set afterwards, or a second end, changes nothing")
    func recordingSpan() throws {
        let queue = SpanQueue(capacity: 10)
        let recorder = SpanRecorder(sampler: TraceSampler(percent: 100), queue: queue)
        let span = TelemetrySpan(recorder.start("work", kind: .client, parent: nil))
        span.setAttributes(["a": 1, "b": "text"])
        span.setAttribute("c", true)
        span.addEvent("step", attributes: ["n": 2])
        span.recordError(TelemetryError("broken"))
        span.end()
        span.setAttribute("late", "ignored")
        span.end()
        let taken = queue.take(upTo: 10).spans
        #expect(taken.count == 1)
        let finished = try #require(taken.first)
        #expect(finished.attributes == ["a": 1, "b": "text", "c": true])
        #expect(finished.events.map(\.name) == ["step", "exception"])
        #expect(finished.events.last?.attributes["exception.message"] == "broken")
        #expect(finished.errorMessage == "broken" && finished.kind == .client && finished.end >= finished.start)
    }

    @Test("OTEL_EXPORTER_OTLP_* variables: the TRACES_ form wins; bad values are refused naming the variable")
    func environment() async throws {
        func refusal(_ environment: [String: String]) -> String {
            do {
                _ = try OTLPExportOptions(environment: environment)
                return ""
            } catch {
                return error.description
            }
        }
        try await withTemporaryDirectory { directory in
            let ca = directory + "/ca.pem"
            try "".write(toFile: ca, atomically: true, encoding: .utf8)
            let options = try OTLPExportOptions(environment: [
                "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20shared, x-team = core ",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "authorization=Bearer%20traces",
                "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "2500",
                "OTEL_EXPORTER_OTLP_CERTIFICATE": ca,
            ])
            #expect(options.headers == ["authorization": "Bearer traces"])
            #expect(options.gzip && options.timeout == .milliseconds(2500) && options.certificate == ca)
            #expect(
                refusal([
                    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": ca, "OTEL_EXPORTER_OTLP_CLIENT_KEY": directory + "/k",
                ])
                    == "OTEL_EXPORTER_OTLP_CLIENT_KEY: cannot read \"\(directory)/k\"; give the path of a readable PEM file"
            )
        }
        #expect(try OTLPExportOptions(environment: [:]) == OTLPExportOptions())
        #expect(refusal(["OTEL_EXPORTER_OTLP_HEADERS": "a=1,broken"]).contains("OTEL_EXPORTER_OTLP_HEADERS: item 2"))
        #expect(refusal(["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "zstd"]).contains("use gzip or none"))
        #expect(refusal(["OTEL_EXPORTER_OTLP_TIMEOUT": "10s"]).contains("write milliseconds"))
        #expect(refusal(["OTEL_EXPORTER_OTLP_CLIENT_KEY": "/dev/null"]).contains("set both or neither"))
        #expect(refusal(["OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": "/missing/ca.pem"]).contains("TRACES_CERTIFICATE"))
        let resource = try Telemetry.resourceAttributes(
            ["service.version": "1"], serviceName: "tracetest",
            environment: ["OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci,service.version=9"])
        #expect(resource == ["service.version": "1", "deployment.environment": "ci", "service.name": "tracetest"])
        let renamed = try Telemetry.resourceAttributes(
            [:], serviceName: "tracetest", environment: ["OTEL_SERVICE_NAME": "api-under-test"])
        #expect(renamed["service.name"] == "api-under-test")
    }

    /// An OTLP/HTTP collector stand-in: answers `failures` first, then 200, and keeps what it accepted.
    final class Collector: Sendable {
        struct Received: Sendable {
            var request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
            var headers: [String: String]
        }

        let answers: Mutex<[HTTPResponse.Status]>
        let received = Mutex<[Received]>([])
        let attempts = Atomic<Int>(0)

        init(failures: [HTTPResponse.Status]) {
            answers = Mutex(failures)
        }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.post("v1/traces") { request, _ -> Response in
                self.attempts.add(1, ordering: .relaxed)
                var body = try await request.body.collect(upTo: 16 << 20)
                if request.headers[.contentEncoding] == "gzip" {
                    body = try body.decompress(with: .gzip())
                }
                if let failure = self.answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                    return Response(status: failure)
                }
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let message = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
                    serializedBytes: Array(buffer: body))
                self.received.withLock { $0.append(Received(request: message, headers: headers)) }
                return Response(status: .ok)
            }
            return router
        }

        var spanNames: [String] {
            received.withLock { received in
                received.flatMap { $0.request.resourceSpans.flatMap { $0.scopeSpans.flatMap { $0.spans.map(\.name) } } }
            }
        }
    }

    func otlpHTTP(_ url: String) -> ExporterSettings {
        ExporterSettings(
            serviceName: "tracetest", sampling: 100, metricsReaderInterval: .seconds(60), exporterType: "otlphttp",
            otlpHTTPEndpoint: url)
    }

    @Test("a busy collector (503, 429) is retried with backoff: every span arrives once, with headers and gzip")
    func retries() async throws {
        let collector = Collector(failures: [.serviceUnavailable, .tooManyRequests])
        let recorder = LogRecorder()
        try await withHTTPStandIn(collector.router) { port in
            let environment = [
                "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20secret", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            ]
            let configuration = telemetryConfiguration(internal: otlpHTTP("http://127.0.0.1:\(port)"))
            let telemetry = try Telemetry.bootstrap(
                configuration: configuration, logger: recorder.logger(), environment: environment)
            try await run(telemetry) {
                for index in 0..<20 { await telemetry.tracer.withSpan("span \(index)") { _ in } }
            }
        }
        #expect(collector.spanNames.sorted() == (0..<20).map { "span \($0)" }.sorted())
        #expect(collector.attempts.load(ordering: .relaxed) >= 3)
        #expect(collector.received.withLock { $0.allSatisfy { $0.headers["authorization"] == "Bearer secret" } })
        #expect(!recorder.messages.contains { $0.contains("cannot export spans") }, "\(recorder.messages)")
    }

    @Test("a collector that refuses a batch (400): the batch is lost, counted, and warned about once")
    func refusedBatch() async throws {
        let collector = Collector(failures: [.badRequest, .badRequest])
        let recorder = LogRecorder()
        let dropped = try await withHTTPStandIn(collector.router) { port in
            let configuration = telemetryConfiguration(internal: otlpHTTP("http://127.0.0.1:\(port)"))
            let telemetry = try Telemetry.bootstrap(
                configuration: configuration, logger: recorder.logger(), environment: [:])
            return try await run(telemetry) {
                await telemetry.tracer.withSpan("refused") { _ in }
                try await waitUntil { collector.attempts.load(ordering: .relaxed) >= 1 }
                await telemetry.tracer.withSpan("refused too") { _ in }
                try await waitUntil { collector.attempts.load(ordering: .relaxed) >= 2 }
                await telemetry.tracer.withSpan("accepted") { _ in }
                try await waitUntil { !collector.spanNames.isEmpty }
                return telemetry.droppedSpans
            }
        }
        #expect(collector.spanNames == ["accepted"])
        #expect(collector.attempts.load(ordering: .relaxed) == 3, "a 400 is not retried")
        #expect(dropped == 2)
        let warnings = recorder.messages.filter { $0.contains("cannot export spans") }
        #expect(warnings.count == 1 && warnings[0].contains("HTTP 400"), "\(recorder.messages)")
        #expect(recorder.messages.contains { $0.contains("works again; 2 spans were lost meanwhile") })
    }

    @Test("HTTPS with OTEL_EXPORTER_OTLP_CERTIFICATE: trusted with the collector's CA, refused without it")
    func certificate() async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)
            let collector = Collector(failures: [])
            try await withHTTPStandIn(collector.router, tls: (certificate, key)) { port in
                for trusted in [false, true] {
                    // The application exporter: trigger spans only, no metrics (swift-otel's read the process's
                    // environment, not this one). The HTTP client retries the handshake until the request's
                    // timeout, 1 s here.
                    let recorder = LogRecorder()
                    let configuration = telemetryConfiguration(application: otlpHTTP("https://localhost:\(port)"))
                    let telemetry = try Telemetry.bootstrap(
                        configuration: configuration, logger: recorder.logger(),
                        environment: trusted
                            ? ["OTEL_EXPORTER_OTLP_CERTIFICATE": certificate]
                            : ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1000"])
                    try await run(telemetry) {
                        telemetry.application.startTriggerSpan(traceID: .random()).end()
                        if !trusted {
                            try await waitUntil { recorder.messages.contains { $0.contains("cannot export spans") } }
                            #expect(recorder.messages.contains { $0.contains("CERTIFICATE_VERIFY_FAILED") })
                        }
                    }
                }
            }
            #expect(collector.spanNames == ["Tracetest trigger"])
        }
    }

    /// Runs the telemetry services while `body` runs, then shuts them down (which flushes).
    func run<R>(_ telemetry: Telemetry, _ body: () async throws -> R) async throws -> R {
        let group = ServiceGroup(configuration: .init(services: telemetry.services, logger: quietLogger()))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<R, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestServerError("timed out") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
