/// The names of the spans the server creates (engine-telemetry.md §4.3), exactly as Tracetest writes them.
public enum SpanName {
    public static let resolveTrigger = "Resolve trigger"
    public static let triggerTest = "Trigger test"
    /// Made by the application tracer in the run's trace (``ApplicationTracer/startTriggerSpan(traceID:)``).
    public static let tracetestTrigger = "Tracetest trigger"
    public static let startProcessingTriggerResponse = "Start processing trigger response"
    public static let startPollingTrace = "Start polling trace"
    /// One per polling iteration.
    public static let fetchingTrace = "Fetching trace"
    /// One per polling iteration.
    public static let evaluatingTrace = "Evaluating trace"
    public static let processOutputs = "Process outputs"
    public static let executeAssertions = "Execute assertions"
    public static let userRequestedStopRun = "User Requested Stop Run"
    public static let dataStoreTestConnectionRequest = "dsTestConnectionRequest.ProcessItem"
    public static let dataStoreTestConnectionNotify = "dsTestConnectionNotify.ProcessItem"
    /// One per OTLP export request that does not come from this server's own telemetry.
    public static let exportTrace = "Export trace"
    public static let convertReceivedSpans = "convert received spans"
    public static let processOTLPTrace = "process otlp trace"

    /// An API route span: `POST /api/tests`, `GET /api/tests/{id}`.
    public static func route(method: String, template: String) -> String {
        method + " " + template
    }

    /// A database span: `exec INSERT` for a statement whose rows are discarded, `query SELECT` for one whose rows are
    /// read (so `INSERT … RETURNING` is `query INSERT`). The verb is the first word of the SQL, upper-cased.
    public static func database(returnsRows: Bool, sql: String) -> String {
        (returnsRows ? "query " : "exec ") + sqlVerb(sql)
    }

    static func sqlVerb(_ sql: String) -> String {
        let words = sql.split(maxSplits: 1, omittingEmptySubsequences: true) { $0.isWhitespace || $0 == "(" }
        return words.first.map { $0.uppercased() } ?? ""
    }
}

/// Attribute keys of the server's spans, exactly as Tracetest writes them.
public enum AttributeKey {
    /// Route spans.
    public enum HTTP {
        public static let method = "http.method"
        /// The route template, `/` for paths no route matches.
        public static let route = "http.route"
        /// The request path and query.
        public static let target = "http.target"
        /// JSON object of the path parameters.
        public static let requestParams = "http.request.params"
        /// JSON object of the query parameters, each an array of values.
        public static let requestQuery = "http.request.query"
        /// JSON object of the request headers, each an array of values.
        public static let requestHeaders = "http.request.headers"
        /// Integer.
        public static let responseStatusCode = "http.response.status_code"
        /// Only for statuses of 500 and more.
        public static let responseBody = "http.response.body"
    }

    /// Database spans.
    public enum Database {
        public static let query = "sql.query"
        /// `postgresql` or `sqlite`.
        public static let system = "db.system"
    }

    /// `Trigger test`.
    public enum Trigger {
        public static let traceID = "tracetest.run.trigger.trace_id"
        public static let spanID = "tracetest.run.trigger.span_id"
        public static let testID = "tracetest.run.trigger.test_id"
        /// `http`, `grpc`, `kafka` or `traceid`.
        public static let type = "tracetest.run.trigger.type"
        public static let error = "tracetest.run.trigger.error"
        public static let httpResponseCode = "tracetest.run.trigger.http.response_code"
        public static let grpcResponseStatusCode = "tracetest.run.trigger.grpc.response_status_code"
        public static let grpcResponseStatus = "tracetest.run.trigger.grpc.response_status"
        public static let kafkaPartition = "tracetest.run.trigger.kafka.partition"
        public static let kafkaOffset = "tracetest.run.trigger.kafka.offset"
    }

    /// `Start polling trace`, `Fetching trace`, `Evaluating trace` and the data store test connection spans.
    public enum TracePoller {
        public static let traceID = "tracetest.run.trace_poller.trace_id"
        public static let spanID = "tracetest.run.trace_poller.span_id"
        public static let testID = "tracetest.run.trace_poller.test_id"
        /// Integer.
        public static let amountRetrievedSpans = "tracetest.run.trace_poller.amount_retrieved_spans"
        public static let error = "tracetest.run.trace_poller.error"
        /// Boolean, on `Evaluating trace`; the key is misspelled as in Tracetest.
        public static let successful = "tracetest.run.trace_poller.succesful"
        public static let finishReason = "tracetest.run.trace_poller.finish_reason"
    }

    /// `Process outputs`: JSON object of output name → `{Name, Value, SpanID, Resolved, Error}`.
    public static let outputProcessorOutputs = "tracetest.run.output_processor.outputs"
    /// `Execute assertions`: boolean.
    public static let allAssertionsPassed = "tracetest.run.assertion_runner.all_assertions_passed"
    /// `process otlp trace`.
    public static let ingestorTraceID = "tracetest.ingestor.trace_id"
}

/// Names of the server's metrics (engine-telemetry.md §4.4 and DECISIONS).
public enum MetricName {
    /// Histogram in milliseconds by `http.route`, `http.method`, `http.status_code`.
    public static let httpServerLatency = "http.server.latency"
    /// Histogram in milliseconds of one worker's jobs, by `run_state`.
    public static func workerLatency(_ worker: WorkerName) -> String {
        "tracetest.worker.\(worker.rawValue).latency"
    }
    /// Histogram of 1 per job enqueued, by `queue.name`.
    public static let messagingEnqueue = "messaging.enqueue"
    /// Histogram of 1 per job taken from a queue, by `queue.name`.
    public static let messagingListen = "messaging.listen"
    /// Counter of runs that reached a final state, by `run_state`.
    public static let finishedRuns = "tracetest.runs.finished"
    /// Counter of spans received by the OTLP receiver, by `transport` (`grpc` or `http`).
    public static let ingestedSpans = "tracetest.otlp.ingested_spans"
    /// Counter of internal spans dropped because the export queue was full.
    public static let droppedSpans = "tracetest.telemetry.dropped_spans"
}

/// The run engine's workers, as they name their latency histograms.
public enum WorkerName: String, Sendable, CaseIterable {
    case triggerResolver = "trigger_resolver"
    case triggerExecuter = "trigger_executer"
    case triggerResultProcessor = "trigger_result_processor"
    case tracePollerStarter = "trace_poller_starter"
    case traceFetcher = "trace_fetcher"
    case tracePollerEvaluator = "trace_poller_evaluator"
    case linterRunner = "linter_runner"
    case assertionRunner = "assertion_runner"
}
