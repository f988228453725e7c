import Foundation
import Logging
import TestSupport
import Testing
import TracetestConfig
import TracetestModel
import TracetestTelemetry

/// The internal and application tracers and the metrics, exported to real OTLP receivers.
@Suite("Telemetry export")
struct TelemetryExportTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "the trigger could not be reached" }
    }

    @Test("spans carry the resource of the exporter entry and their parents, attributes and errors")
    func spansAndResource() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let configuration = telemetryConfiguration(internal: collector(receiver, serviceName: "tracetest-dogfood"))
        let instanceID = try await withTelemetry(configuration) { telemetry in
            let tracer = telemetry.tracer
            #expect(tracer.isEnabled)
            try? await tracer.withSpan(SpanName.resolveTrigger) { _ in
                await tracer.withSpan(
                    SpanName.startPollingTrace,
                    attributes: [AttributeKey.TracePoller.amountRetrievedSpans: 3]
                ) { span in
                    span.setAttribute(AttributeKey.TracePoller.successful, true)
                    span.setAttribute(AttributeKey.TracePoller.testID, "abc")
                }
                try await tracer.withSpan(SpanName.triggerTest, kind: .client) { _ in throw Failure() }
            }
            return telemetry.instanceID
        }
        let spans = try receiver.spans()
        #expect(spans.count == 3)
        let root = try #require(spans.first { $0.name == "Resolve trigger" })
        let polling = try #require(spans.first { $0.name == "Start polling trace" })
        let trigger = try #require(spans.first { $0.name == "Trigger test" })
        #expect(root.parentSpanID.isEmpty)
        #expect(polling.parentSpanID == root.spanID && trigger.parentSpanID == root.spanID)
        #expect(Set(spans.map(\.traceID)).count == 1)
        #expect(root.kind == 1 && trigger.kind == 3)
        #expect(polling.attributes["tracetest.run.trace_poller.amount_retrieved_spans"] == "3")
        #expect(polling.attributeTypes["tracetest.run.trace_poller.amount_retrieved_spans"] == "int")
        #expect(polling.attributes["tracetest.run.trace_poller.succesful"] == "true")
        #expect(polling.attributeTypes["tracetest.run.trace_poller.succesful"] == "bool")
        #expect(polling.attributes["tracetest.run.trace_poller.test_id"] == "abc")
        #expect(trigger.statusCode == 2 && trigger.statusMessage == "the trigger could not be reached")
        #expect(trigger.events.map(\.name) == ["exception"])
        #expect(root.statusCode == 2, "the error went through the parent's body too")
        for span in spans {
            #expect(span.resource["service.name"] == "tracetest-dogfood")
            #expect(span.resource["service.version"] == TracetestVersion.current)
            #expect(span.resource["host.name"] == ProcessInfo.processInfo.hostName)
            #expect(span.resource["service.instance.id"] == instanceID)
            #expect(span.resource["telemetry.sdk.language"] == "swift")
            #expect(span.resource["telemetry.sdk.name"] == "swift-otel")
            #expect(span.transport == "grpc")
        }
    }

    @Test("sampling 100 exports every trace, 0 exports none, 50 about half", arguments: [100.0, 0, 50])
    func sampling(percent: Double) async throws {
        let receiver = try await OTLPTestReceiver.start()
        let configuration = telemetryConfiguration(
            internal: collector(receiver, sampling: percent, metricsInterval: .milliseconds(100)))
        let traces = 1500
        try await withTelemetry(configuration) { telemetry in
            for index in 0..<traces {
                await telemetry.tracer.withSpan(SpanName.fetchingTrace) { span in
                    span.setAttribute(AttributeKey.TracePoller.amountRetrievedSpans, index)
                }
            }
            telemetry.metrics.countFinishedRun(state: "FINISHED")
        }
        let spans = try receiver.spans()
        switch percent {
        case 100: #expect(spans.count == traces)
        case 0: #expect(spans.isEmpty)
        default: #expect((traces / 2 - 250...traces / 2 + 250).contains(spans.count))
        }
        // The exporter worked: the metrics reached the same receiver.
        #expect(try receiver.metricExports().contains { $0.metric(MetricName.finishedRuns) != nil })
    }

    @Test("a missing sampling means 100 %, and the start-up log says so")
    func missingSampling() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let recorder = LogRecorder()
        let configuration = telemetryConfiguration(internal: collector(receiver, sampling: nil))
        try await withTelemetry(configuration, logger: recorder.logger()) { telemetry in
            for _ in 0..<100 { await telemetry.tracer.withSpan(SpanName.executeAssertions) { _ in } }
        }
        #expect(try receiver.spans().count == 100)
        let messages = recorder.entries.map(\.message)
        #expect(messages.contains { $0.contains("sampling 100 % (sampling is not set)") }, "\(messages)")
    }

    @Test("metrics are exported at the configured interval while the server runs")
    func metricsAtTheInterval() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let configuration = telemetryConfiguration(
            internal: collector(receiver, metricsInterval: .milliseconds(200)))
        try await withTelemetry(configuration) { telemetry in
            telemetry.metrics.recordHTTPServerLatency(
                milliseconds: 12, route: "/api/tests", method: "GET", statusCode: 200)
            telemetry.metrics.recordWorkerLatency(.traceFetcher, milliseconds: 3, runState: "AWAITING_TRACE")
            telemetry.metrics.recordEnqueue(queue: "")
            telemetry.metrics.countIngestedSpans(7, transport: "grpc")
            // Several exports arrive before shutdown, which only adds one more.
            let exports = try await receiver.wait(for: "3 metric exports") { receiver in
                let exports = try receiver.metricExports()
                return exports.count >= 3 ? exports : nil
            }
            let latency = try #require(exports.last?.metric("http.server.latency"))
            #expect(latency.type == "histogram" && latency.unit == "ms")
            let point = try #require(latency.points.first)
            #expect(
                point.attributes == ["http.route": "/api/tests", "http.method": "GET", "http.status_code": "200"])
            #expect(point.count == 1 && point.sum == 12)
            let worker = try #require(exports.last?.metric("tracetest.worker.trace_fetcher.latency"))
            #expect(worker.points.first?.attributes == ["run_state": "AWAITING_TRACE"])
            #expect(exports.last?.metric("messaging.enqueue") != nil)
            let ingested = try #require(exports.last?.metric("tracetest.otlp.ingested_spans"))
            #expect(ingested.type == "sum" && ingested.points.first?.value == 7)
            #expect(exports.last?.resource["service.instance.id"] == telemetry.instanceID)
        }
    }

    @Test("the trigger span goes into the run's trace, to the application exporter and only there")
    func applicationTracer() async throws {
        let internalReceiver = try await OTLPTestReceiver.start()
        let applicationReceiver = try await OTLPTestReceiver.start()
        let configuration = telemetryConfiguration(
            internal: collector(internalReceiver),
            application: collector(applicationReceiver, serviceName: "app-facing"))
        let traceID = TraceID.random()
        let trigger = try await withTelemetry(configuration) { telemetry in
            #expect(telemetry.application.isEnabled)
            return await telemetry.tracer.withSpan(SpanName.triggerTest) { _ in
                await telemetry.application.withTriggerSpan(traceID: traceID) { $0 }
            }
        }
        #expect(trigger.traceID == traceID && trigger.spanID.isValid && trigger.isSampled)
        #expect(trigger.traceparent(sampled: true) == "00-\(traceID.hex)-\(trigger.spanID.hex)-01")
        let exported = try applicationReceiver.spans()
        #expect(exported.count == 1)
        let span = try #require(exported.first)
        #expect(span.name == "Tracetest trigger")
        #expect(span.traceID == traceID.hex && span.spanID == trigger.spanID.hex)
        #expect(span.traceState == "tracetest=true")
        #expect(span.kind == 1 && span.attributes.isEmpty)
        #expect(!span.parentSpanID.isEmpty && span.parentSpanID != span.spanID, "a parent that is in no trace")
        #expect(span.resource["service.name"] == "app-facing")
        #expect(span.resource["service.instance.id"] == nil)
        let internalSpans = try internalReceiver.spans()
        #expect(internalSpans.map(\.name) == ["Trigger test"])
        #expect(!internalSpans.contains { $0.traceID == traceID.hex })
    }

    @Test("without an application exporter the trigger span still has ids and nothing is exported")
    func triggerSpanWithoutApplicationExporter() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let traceID = TraceID.random()
        let trigger = try await withTelemetry(telemetryConfiguration(internal: collector(receiver))) { telemetry in
            #expect(!telemetry.application.isEnabled)
            return telemetry.application.startTriggerSpan(traceID: traceID)
        }
        #expect(trigger.traceID == traceID && trigger.spanID.isValid && trigger.isSampled)
        #expect(trigger.traceState == "tracetest=true")
        #expect(try receiver.spans().isEmpty)
    }

    @Test("type otlphttp exports spans and metrics over OTLP/HTTP")
    func otlpHTTP() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let exporter = ExporterSettings(
            serviceName: "over-http", sampling: 100, metricsReaderInterval: .seconds(10), exporterType: "otlphttp",
            otlpHTTPEndpoint: receiver.httpEndpoint + "/")
        try await withTelemetry(telemetryConfiguration(internal: exporter)) { telemetry in
            await telemetry.tracer.withSpan(SpanName.processOutputs) { _ in }
            telemetry.metrics.countFinishedRun(state: "FAILED")
        }
        let spans = try receiver.spans()
        #expect(spans.map(\.name) == ["Process outputs"])
        #expect(spans.first?.transport == "http" && spans.first?.resource["service.name"] == "over-http")
        #expect(try receiver.metricExports().contains { $0.metric(MetricName.finishedRuns) != nil })
    }

    @Test("log lines inside a span carry its trace and span ids")
    func loggingMetadata() async throws {
        let receiver = try await OTLPTestReceiver.start()
        let recorder = LogRecorder()
        let logger = recorder.logger(metadataProvider: Telemetry.loggingMetadataProvider)
        try await withTelemetry(telemetryConfiguration(internal: collector(receiver))) { telemetry in
            logger.info("outside")
            await telemetry.tracer.withSpan(SpanName.evaluatingTrace) { _ in logger.info("inside") }
        }
        let span = try #require(try receiver.spans().first)
        let inside = try #require(recorder.entries.first { $0.message == "inside" })
        #expect(inside.metadata["trace_id"]?.description == span.traceID)
        #expect(inside.metadata["span_id"]?.description == span.spanID)
        let outside = try #require(recorder.entries.first { $0.message == "outside" })
        #expect(outside.metadata["trace_id"] == nil)
    }

    @Test("child spans only start under a span of this server that records")
    func childSpans() async throws {
        let receiver = try await OTLPTestReceiver.start()
        try await withTelemetry(telemetryConfiguration(internal: collector(receiver))) { telemetry in
            let tracer = telemetry.tracer
            #expect(!tracer.hasActiveSpan)
            await tracer.withChildSpan("query SELECT", kind: .client) { span in #expect(!span.isRecording) }
            let remote = tracer.extractContext(
                traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: nil)
            await remote.withCurrent {
                #expect(!tracer.hasActiveSpan, "a propagated parent is not a span of this server")
            }
            await tracer.withSpan("GET /api/tests", parent: remote) { _ in
                #expect(tracer.hasActiveSpan)
                await tracer.withChildSpan("query SELECT", kind: .client) { span in #expect(span.isRecording) }
            }
            #expect(!tracer.hasActiveSpan)
        }
        let spans = try receiver.spans()
        #expect(spans.map(\.name).sorted() == ["GET /api/tests", "query SELECT"])
        let route = try #require(spans.first { $0.name == "GET /api/tests" })
        #expect(route.traceID == "0af7651916cd43dd8448eb211c80319c" && route.parentSpanID == "b7ad6b7169203331")
        #expect(spans.first { $0.name == "query SELECT" }?.parentSpanID == route.spanID)
    }

    @Test("with telemetry off, bodies run and nothing is recorded")
    func disabled() async throws {
        let telemetry = try Telemetry.bootstrap(configuration: ServerConfiguration(), logger: quietLogger())
        #expect(!telemetry.tracer.isEnabled && !telemetry.metrics.isEnabled && telemetry.services.isEmpty)
        let value = await telemetry.tracer.withSpan(SpanName.resolveTrigger) { span in
            #expect(!span.isRecording)
            #expect(!telemetry.tracer.hasActiveSpan)
            return 42
        }
        #expect(value == 42)
        let trigger = telemetry.application.startTriggerSpan(traceID: TraceID(high: 1, low: 2))
        #expect(trigger.spanID.isValid)
        trigger.end()
    }
}
