import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig

/// The run pipeline's spans and worker metrics (engine-telemetry.md §4.3–4.4): a run against the demo app with
/// internal telemetry and the application exporter going to a real OTLP receiver.
@Suite("Telemetry: run pipeline spans")
struct TelemetryPipelineTests {
    @Test("a run makes the pipeline's span chain under its API span, and the Tracetest trigger span in its trace")
    func pipelineSpans() async throws {
        let receiver = try await OTLPTestReceiver.start()
        var run: [String: Any] = [:]
        var instanceName = ""
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            instanceName = configuration.server.instanceName
            configuration.telemetry.exporters["collector"] = ExporterSettings(
                serviceName: "tracetest", sampling: 100, metricsReaderInterval: .seconds(10),
                exporterType: "collector", collectorEndpoint: receiver.grpcEndpoint)
            configuration.server.telemetry.exporter = "collector"
            configuration.server.telemetry.applicationExporter = "collector"
            try await withRunningServer(configuration) { api in
                let otlp = try #require(api.otlpGRPCPort)
                try await Python.withDemoApp(otlpPort: otlp) { port in
                    let testID = try await api.create(
                        "/api/tests",
                        RunAPITests.pokemonTest(
                            id: "pipeline", url: "http://127.0.0.1:\(port)/pokemon/1", specs: RunAPITests.passingSpecs))
                    run = try await api.runToEnd(testID)
                }
            }
        }
        #expect(run["state"] as? String == "FINISHED")
        let traceID = try #require(run["traceId"] as? String)
        let triggerSpanID = try #require(run["spanId"] as? String)
        let spans = try receiver.spans()
        func one(_ name: String, _ where: (ReceivedSpan) -> Bool = { _ in true }) throws -> ReceivedSpan {
            let found = spans.filter { $0.name == name && `where`($0) }
            #expect(found.count == 1, "\(name): \(found)")
            return try #require(found.first, "no span \(name) among \(spans.map(\.name))")
        }

        let api = try one("POST /api/tests/{testId}/run")
        let resolve = try one("Resolve trigger")
        #expect(resolve.parentSpanID == api.spanID)
        #expect(resolve.traceID == api.traceID)

        let trigger = try one("Trigger test")
        #expect(trigger.parentSpanID == resolve.spanID)
        #expect(trigger.attributes["tracetest.run.trigger.trace_id"] == traceID)
        #expect(trigger.attributes["tracetest.run.trigger.span_id"] == triggerSpanID)
        #expect(trigger.attributes["tracetest.run.trigger.test_id"] == "pipeline")
        #expect(trigger.attributes["tracetest.run.trigger.type"] == "http")
        #expect(trigger.attributes["tracetest.run.trigger.http.response_code"] == "200")
        #expect(trigger.attributeTypes["tracetest.run.trigger.http.response_code"] == "int")

        let processing = try one("Start processing trigger response")
        #expect(processing.parentSpanID == resolve.spanID)
        let polling = try one("Start polling trace")
        #expect(polling.parentSpanID == processing.spanID)
        #expect(polling.attributes["tracetest.run.trace_poller.trace_id"] == traceID)
        #expect(polling.attributes["tracetest.run.trace_poller.test_id"] == "pipeline")

        // Each step says which server executed it.
        for step in [resolve, trigger, processing, polling] {
            #expect(step.attributes["tracetest.server.instance"] == instanceName, "\(step.name)")
        }

        // Fetching → Evaluating pairs chain from `Start polling trace`; the last evaluation succeeded.
        var parent = polling.spanID
        var evaluations: [ReceivedSpan] = []
        while let fetching = spans.first(where: { $0.name == "Fetching trace" && $0.parentSpanID == parent }) {
            let evaluating = try one("Evaluating trace") { $0.parentSpanID == fetching.spanID }
            evaluations.append(evaluating)
            parent = evaluating.spanID
        }
        let last = try #require(evaluations.last)
        #expect(evaluations.count == spans.filter { $0.name == "Evaluating trace" }.count)
        #expect(evaluations.dropLast().allSatisfy { $0.attributes["tracetest.run.trace_poller.succesful"] == "false" })
        #expect(last.attributes["tracetest.run.trace_poller.succesful"] == "true")
        #expect(last.attributes["tracetest.run.trace_poller.finish_reason"]?.isEmpty == false)
        #expect(Int(last.attributes["tracetest.run.trace_poller.amount_retrieved_spans"] ?? "") ?? 0 >= 3)

        let outputs = try one("Process outputs")
        #expect(outputs.parentSpanID == last.spanID)
        let described = try #require(jsonObject(outputs.attributes["tracetest.run.output_processor.outputs"]))
        let name = try #require(described["POKEMON_NAME"] as? [String: Any])
        #expect(name["Value"] as? String == "pikachu")
        #expect(name["Resolved"] as? Bool == true)
        let assertions = try one("Execute assertions")
        #expect(assertions.parentSpanID == last.spanID)
        #expect(assertions.attributes["tracetest.run.assertion_runner.all_assertions_passed"] == "true")

        // The application tracer's span is in the run's trace, with the span id the app saw as its parent.
        let application = try one("Tracetest trigger")
        #expect(application.traceID == traceID)
        #expect(application.spanID == triggerSpanID)
        #expect(application.traceState == "tracetest=true")

        let metrics = try #require(try receiver.metricExports().last)
        for worker in [
            "trigger_resolver", "trigger_executer", "trigger_result_processor", "trace_poller_starter", "trace_fetcher",
            "trace_poller_evaluator", "linter_runner", "assertion_runner",
        ] {
            #expect(metrics.metric("tracetest.worker.\(worker).latency") != nil, "\(worker)")
        }
        #expect(metrics.metric("tracetest.runs.queued")?.points.first?.value == 0, "no run waited for a slot")
        let finished = try #require(metrics.metric("tracetest.runs.finished"))
        #expect(finished.points.first { $0.attributes["run_state"] == "FINISHED" }?.value == 1)
    }
}
