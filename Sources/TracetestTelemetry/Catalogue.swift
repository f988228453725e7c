/// The names of the spans the server creates (engine-telemetry.md §4.3), exactly as Tracetest writes them.
package enum SpanName {
    package static let resolveTrigger = "Resolve trigger"
    package static let triggerTest = "Trigger test"
    /// Made by the application tracer in the run's trace (``ApplicationTracer/startTriggerSpan(traceID:)``).
    package static let tracetestTrigger = "Tracetest trigger"
    package static let startProcessingTriggerResponse = "Start processing trigger response"
    package static let startPollingTrace = "Start polling trace"
    /// One per polling iteration.
    package static let fetchingTrace = "Fetching trace"
    /// One per polling iteration.
    package static let evaluatingTrace = "Evaluating trace"
    package static let processOutputs = "Process outputs"
    package static let executeAssertions = "Execute assertions"
    package static let userRequestedStopRun = "User Requested Stop Run"
    package static let dataStoreTestConnectionRequest = "dsTestConnectionRequest.ProcessItem"
    package static let dataStoreTestConnectionNotify = "dsTestConnectionNotify.ProcessItem"
    /// One per OTLP export request that does not come from this server's own telemetry.
    package static let exportTrace = "Export trace"
    package static let convertReceivedSpans = "convert received spans"
    package static let processOTLPTrace = "process otlp trace"

    /// An API route span: `POST /api/tests`, `GET /api/tests/{id}`.
    package static func route(method: String, template: String) -> String {
        method + " " + template
    }

    /// A database span: `exec INSERT` for a statement whose rows are discarded, `query SELECT` for one whose rows are
    /// read (so `INSERT … RETURNING` is `query INSERT`). The verb is the first word of the SQL, upper-cased.
    package static func database(returnsRows: Bool, sql: String) -> String {
        (returnsRows ? "query " : "exec ") + sqlVerb(sql)
    }

    static func sqlVerb(_ sql: String) -> String {
        let words = sql.split(maxSplits: 1, omittingEmptySubsequences: true) { $0.isWhitespace || $0 == "(" }
        return words.first.map { $0.uppercased() } ?? ""
    }
}

/// Attribute keys of the server's spans, exactly as Tracetest writes them.
package enum AttributeKey {
    /// Route spans.
    package enum HTTP {
        package static let method = "http.method"
        /// The route template, `/` for paths no route matches.
        package static let route = "http.route"
        /// The request path and query.
        package static let target = "http.target"
        /// JSON object of the path parameters.
        package static let requestParams = "http.request.params"
        /// JSON object of the query parameters, each an array of values.
        package static let requestQuery = "http.request.query"
        /// JSON object of the request headers, each an array of values.
        package static let requestHeaders = "http.request.headers"
        /// Integer.
        package static let responseStatusCode = "http.response.status_code"
        /// Only for statuses of 500 and more.
        package static let responseBody = "http.response.body"
    }

    /// Database spans.
    package enum Database {
        package static let query = "sql.query"
        /// `postgresql` or `sqlite`.
        package static let system = "db.system"
    }

    /// `Trigger test`.
    package enum Trigger {
        package static let traceID = "tracetest.run.trigger.trace_id"
        package static let spanID = "tracetest.run.trigger.span_id"
        package static let testID = "tracetest.run.trigger.test_id"
        /// `http`, `grpc`, `kafka` or `traceid`.
        package static let type = "tracetest.run.trigger.type"
        package static let error = "tracetest.run.trigger.error"
        package static let httpResponseCode = "tracetest.run.trigger.http.response_code"
        package static let grpcResponseStatusCode = "tracetest.run.trigger.grpc.response_status_code"
        package static let grpcResponseStatus = "tracetest.run.trigger.grpc.response_status"
        package static let kafkaPartition = "tracetest.run.trigger.kafka.partition"
        package static let kafkaOffset = "tracetest.run.trigger.kafka.offset"
    }

    /// `Start polling trace`, `Fetching trace`, `Evaluating trace` and the data store test connection spans.
    package enum TracePoller {
        package static let traceID = "tracetest.run.trace_poller.trace_id"
        package static let spanID = "tracetest.run.trace_poller.span_id"
        package static let testID = "tracetest.run.trace_poller.test_id"
        /// Integer.
        package static let amountRetrievedSpans = "tracetest.run.trace_poller.amount_retrieved_spans"
        package static let error = "tracetest.run.trace_poller.error"
        /// Boolean, on `Evaluating trace`; the key is misspelled as in Tracetest.
        package static let successful = "tracetest.run.trace_poller.succesful"
        package static let finishReason = "tracetest.run.trace_poller.finish_reason"
    }

    /// `Process outputs`: JSON object of output name → `{Name, Value, SpanID, Resolved, Error}`.
    package static let outputProcessorOutputs = "tracetest.run.output_processor.outputs"
    /// `Execute assertions`: boolean.
    package static let allAssertionsPassed = "tracetest.run.assertion_runner.all_assertions_passed"
    /// The run pipeline's step spans: the server that executed the step (its `server.instanceName`).
    package static let serverInstance = "tracetest.server.instance"
    /// `process otlp trace`.
    package static let ingestorTraceID = "tracetest.ingestor.trace_id"
}

/// Names of the server's metrics (engine-telemetry.md §4.4 and DECISIONS).
package enum MetricName {
    /// Histogram in milliseconds by `http.route`, `http.method`, `http.status_code`.
    package static let httpServerLatency = "http.server.latency"
    /// Histogram in milliseconds of one worker's jobs, by `run_state`.
    package static func workerLatency(_ worker: WorkerName) -> String {
        "tracetest.worker.\(worker.rawValue).latency"
    }
    /// Histogram of 1 per job enqueued, by `queue.name`.
    package static let messagingEnqueue = "messaging.enqueue"
    /// Histogram of 1 per job taken from a queue, by `queue.name`.
    package static let messagingListen = "messaging.listen"
    /// Counter of runs that reached a final state, by `run_state`.
    package static let finishedRuns = "tracetest.runs.finished"
    /// Gauge of the runs waiting in the run queue of the database (no server had a free slot).
    package static let queuedRuns = "tracetest.runs.queued"
    /// Counter of runs a server took over after their server's lease expired (it died).
    package static let leaseTakeovers = "tracetest.runs.lease_takeovers"
    /// Counter of spans received by the OTLP receiver, by `transport` (`grpc` or `http`).
    package static let ingestedSpans = "tracetest.otlp.ingested_spans"
    /// Counter of internal spans dropped because the export queue was full.
    package static let droppedSpans = "tracetest.telemetry.dropped_spans"
}

/// The run engine's workers, as they name their latency histograms.
package enum WorkerName: String, Sendable, CaseIterable {
    case triggerResolver = "trigger_resolver"
    case triggerExecuter = "trigger_executer"
    case triggerResultProcessor = "trigger_result_processor"
    case tracePollerStarter = "trace_poller_starter"
    case traceFetcher = "trace_fetcher"
    case tracePollerEvaluator = "trace_poller_evaluator"
    case linterRunner = "linter_runner"
    case assertionRunner = "assertion_runner"
}
