import Testing
import TracetestTelemetry

/// Span names and attribute keys are part of the contract (engine-telemetry.md §4.3), typos included.
@Suite("Span catalogue")
struct CatalogueTests {
    @Test func pipelineSpanNames() {
        #expect(
            [
                SpanName.resolveTrigger, SpanName.triggerTest, SpanName.tracetestTrigger,
                SpanName.startProcessingTriggerResponse, SpanName.startPollingTrace, SpanName.fetchingTrace,
                SpanName.evaluatingTrace, SpanName.processOutputs, SpanName.executeAssertions,
                SpanName.userRequestedStopRun, SpanName.exportTrace,
            ] == [
                "Resolve trigger", "Trigger test", "Tracetest trigger", "Start processing trigger response",
                "Start polling trace", "Fetching trace", "Evaluating trace", "Process outputs", "Execute assertions",
                "User Requested Stop Run", "Export trace",
            ])
        #expect(SpanName.route(method: "POST", template: "/api/tests/{testId}/run") == "POST /api/tests/{testId}/run")
    }

    @Test(
        "database span names: exec for statements whose rows are discarded, query for those read",
        arguments: [
            (false, "INSERT INTO tests (id) VALUES ($1)", "exec INSERT"),
            (true, "INSERT INTO test_runs (id) VALUES ($1) RETURNING id", "query INSERT"),
            (true, "\n  select id from tests", "query SELECT"),
            (false, "update configs set x = 1", "exec UPDATE"),
            (true, "WITH latest AS (SELECT 1) SELECT * FROM latest", "query WITH"),
            (false, "CREATE SEQUENCE IF NOT EXISTS runs", "exec CREATE"),
        ])
    func databaseSpanNames(returnsRows: Bool, sql: String, name: String) {
        #expect(SpanName.database(returnsRows: returnsRows, sql: sql) == name)
    }

    @Test func attributeKeys() {
        #expect(AttributeKey.TracePoller.successful == "tracetest.run.trace_poller.succesful")
        #expect(AttributeKey.TracePoller.amountRetrievedSpans == "tracetest.run.trace_poller.amount_retrieved_spans")
        #expect(AttributeKey.Trigger.grpcResponseStatusCode == "tracetest.run.trigger.grpc.response_status_code")
        #expect(AttributeKey.allAssertionsPassed == "tracetest.run.assertion_runner.all_assertions_passed")
        #expect(AttributeKey.outputProcessorOutputs == "tracetest.run.output_processor.outputs")
        #expect(AttributeKey.Database.query == "sql.query" && AttributeKey.Database.system == "db.system")
        #expect(AttributeKey.HTTP.responseStatusCode == "http.response.status_code")
    }

    @Test func metricNames() {
        #expect(
            WorkerName.allCases.map(MetricName.workerLatency) == [
                "tracetest.worker.trigger_resolver.latency", "tracetest.worker.trigger_executer.latency",
                "tracetest.worker.trigger_result_processor.latency", "tracetest.worker.trace_poller_starter.latency",
                "tracetest.worker.trace_fetcher.latency", "tracetest.worker.trace_poller_evaluator.latency",
                "tracetest.worker.linter_runner.latency", "tracetest.worker.assertion_runner.latency",
            ])
        #expect(MetricName.droppedSpans == "tracetest.telemetry.dropped_spans")
        #expect(MetricName.httpServerLatency == "http.server.latency")
    }
}
