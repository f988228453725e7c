import Foundation

/// A real OTLP receiver for telemetry tests: a Python process on the official `opentelemetry-proto` definitions
/// (grpcio, installed by scripts/test) that accepts OTLP/gRPC and OTLP/HTTP traces and metrics on loopback and
/// writes every export request it receives as one JSON line.
package final class OTLPTestReceiver: @unchecked Sendable {
    package let grpcPort: Int
    package let httpPort: Int
    /// The JSON-lines file of received requests.
    package let outputPath: String
    private let process: Process
    private let errorPath: String

    /// `host:port` of the gRPC receiver.
    package var grpcEndpoint: String { "127.0.0.1:\(grpcPort)" }
    /// Base URL of the HTTP receiver.
    package var httpEndpoint: String { "http://127.0.0.1:\(httpPort)" }

    private init(process: Process, grpcPort: Int, httpPort: Int, outputPath: String, errorPath: String) {
        self.process = process
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    /// Starts a receiver on the given ports (0: free ones), appending to `outputPath` (a new temporary file by
    /// default); with `discard` it accepts and forgets everything.
    package static func start(
        grpcPort: Int = 0, httpPort: Int = 0, outputPath: String? = nil, discard: Bool = false
    ) async throws -> OTLPTestReceiver {
        let directory = FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString
        let script = directory + "/otlp_receiver-\(id).py"
        try receiverScript.write(toFile: script, atomically: true, encoding: .utf8)
        let output = outputPath ?? directory + "/otlp_received-\(id).jsonl"
        if !FileManager.default.fileExists(atPath: output) {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
        }
        let errorPath = directory + "/otlp_receiver-\(id).log"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Python.executable)
        process.arguments =
            [script, "--out", output, "--grpc-port", String(grpcPort), "--http-port", String(httpPort)]
            + (discard ? ["--discard"] : [])
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let line = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                while !data.contains(UInt8(ascii: "\n")) {
                    let chunk = stdout.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        guard let ports = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int],
            let grpc = ports["grpcPort"], let http = ports["httpPort"], grpc > 0
        else {
            if process.isRunning { process.terminate() }
            let log = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw TestServerError(
                "the OTLP test receiver did not start (is grpcio installed? scripts/test installs it): \(line)\n\(log)")
        }
        return OTLPTestReceiver(
            process: process, grpcPort: grpc, httpPort: http, outputPath: output, errorPath: errorPath)
    }

    /// Starts a receiver again on the same ports, appending to the same file.
    package func restart() async throws -> OTLPTestReceiver {
        try await Self.start(grpcPort: grpcPort, httpPort: httpPort, outputPath: outputPath)
    }

    /// Kills the receiver at once (SIGKILL), as a crashing collector would go.
    package func kill() async {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    package var isRunning: Bool { process.isRunning }

    /// Every request received so far (a line the receiver is still writing is left for the next read).
    package func requests() throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return try lines.filter { !$0.isEmpty }.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestServerError("not a JSON object: \(line)")
            }
            return object
        }
    }

    /// Every span received so far, in arrival order.
    package func spans() throws -> [ReceivedSpan] {
        try requests().filter { $0["signal"] as? String == "traces" }.flatMap { request in
            let transport = request["transport"] as? String ?? ""
            return (request["resources"] as? [[String: Any]] ?? []).flatMap { resource in
                let attributes = resource["attributes"] as? [String: String] ?? [:]
                return (resource["spans"] as? [[String: Any]] ?? []).map {
                    ReceivedSpan($0, resource: attributes, transport: transport)
                }
            }
        }
    }

    /// Every metrics export received so far, in arrival order.
    package func metricExports() throws -> [MetricExport] {
        try requests().filter { $0["signal"] as? String == "metrics" }.map { request in
            let resources = request["resources"] as? [[String: Any]] ?? []
            return MetricExport(
                resource: resources.first?["attributes"] as? [String: String] ?? [:],
                metrics: resources.flatMap { resource in
                    (resource["metrics"] as? [[String: Any]] ?? []).map(ReceivedMetric.init)
                })
        }
    }

    /// Polls until `condition` returns a value; fails after `timeout` with what was received.
    package func wait<T>(
        for what: String, timeout: Duration = .seconds(60), _ condition: (OTLPTestReceiver) async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try await condition(self) { return value }
            guard ContinuousClock.now < deadline else {
                let names = (try? spans().map(\.name)) ?? []
                throw TestServerError("timed out waiting for \(what); spans received: \(names.suffix(50))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Sends one span named `sent span` of `traceID` with `resource` attributes to an OTLP receiver: `transport` is
    /// `grpc` (`target` is `host:port`) or `http` (`target` is the base URL).
    package static func send(
        transport: String, target: String, traceID: String, resource: [String: String]
    ) async throws {
        let script = FileManager.default.temporaryDirectory.path + "/otlp_receiver-\(UUID().uuidString).py"
        try receiverScript.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let arguments =
            ["--send", transport, "--target", target, "--trace-id", traceID]
            + resource.sorted { $0.key < $1.key }.flatMap { ["--resource", "\($0.key)=\($0.value)"] }
        _ = try await Python.run(script, arguments)
    }

    /// Spans received, counted from the lines a `discard` receiver writes.
    package func discardedSpanCount() throws -> Int {
        try requests().filter { $0["signal"] as? String == "traces" }.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
    }

    /// What the receiver wrote to standard error.
    package var log: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// One span as the receiver got it; attribute values as text, their OTLP types in `attributeTypes`.
package struct ReceivedSpan: Sendable, CustomStringConvertible {
    package var name: String
    package var scope: String
    package var traceID: String
    package var spanID: String
    /// Empty for a root span.
    package var parentSpanID: String
    package var traceState: String
    /// OTLP `SpanKind`: 1 internal, 2 server, 3 client.
    package var kind: Int
    package var attributes: [String: String]
    /// `string`, `int`, `bool`, `double`, `array`, `kvlist`, `bytes`.
    package var attributeTypes: [String: String]
    /// OTLP status code: 0 unset, 1 ok, 2 error.
    package var statusCode: Int
    package var statusMessage: String
    package var events: [(name: String, attributes: [String: String])]
    package var resource: [String: String]
    /// `grpc` or `http`.
    package var transport: String
    package var startTimeUnixNano: UInt64
    package var endTimeUnixNano: UInt64

    init(_ object: [String: Any], resource: [String: String], transport: String) {
        name = object["name"] as? String ?? ""
        scope = object["scope"] as? String ?? ""
        traceID = object["traceId"] as? String ?? ""
        spanID = object["spanId"] as? String ?? ""
        parentSpanID = object["parentSpanId"] as? String ?? ""
        traceState = object["traceState"] as? String ?? ""
        kind = object["kind"] as? Int ?? 0
        attributes = object["attributes"] as? [String: String] ?? [:]
        attributeTypes = object["attributeTypes"] as? [String: String] ?? [:]
        let status = object["status"] as? [String: Any] ?? [:]
        statusCode = status["code"] as? Int ?? 0
        statusMessage = status["message"] as? String ?? ""
        events = (object["events"] as? [[String: Any]] ?? []).map {
            ($0["name"] as? String ?? "", $0["attributes"] as? [String: String] ?? [:])
        }
        self.resource = resource
        self.transport = transport
        startTimeUnixNano = (object["startTimeUnixNano"] as? NSNumber)?.uint64Value ?? 0
        endTimeUnixNano = (object["endTimeUnixNano"] as? NSNumber)?.uint64Value ?? 0
    }

    package var description: String {
        "\(name) [\(traceID)/\(spanID) parent \(parentSpanID.isEmpty ? "-" : parentSpanID)] \(attributes)"
    }
}

/// One metrics export request.
package struct MetricExport: Sendable {
    package var resource: [String: String]
    package var metrics: [ReceivedMetric]

    package func metric(_ name: String) -> ReceivedMetric? { metrics.first { $0.name == name } }
}

/// One metric of an export: its data points with their attributes and, for histograms, counts and sums.
package struct ReceivedMetric: Sendable {
    package var name: String
    package var unit: String
    /// `histogram`, `sum`, `gauge`, `exponential_histogram`.
    package var type: String
    package var points: [(attributes: [String: String], count: Int, sum: Double, value: Double)]

    init(_ object: [String: Any]) {
        name = object["name"] as? String ?? ""
        unit = object["unit"] as? String ?? ""
        type = object["type"] as? String ?? ""
        points = (object["points"] as? [[String: Any]] ?? []).map { point in
            (
                point["attributes"] as? [String: String] ?? [:],
                (point["count"] as? NSNumber)?.intValue ?? 0,
                (point["sum"] as? NSNumber)?.doubleValue ?? 0,
                (point["value"] as? NSNumber)?.doubleValue ?? 0
            )
        }
    }
}

private let receiverScript = #"""
    # A real OTLP receiver for tests: gRPC (TraceService, MetricsService) and HTTP (/v1/traces, /v1/metrics), built on
    # the official opentelemetry-proto definitions. Every export request becomes one JSON line in --out:
    # {"signal": "traces"|"metrics", "transport": "grpc"|"http", "resources": [...]}. With --discard nothing is written.
    # Prints {"grpcPort": N, "httpPort": M} on stdout once listening, then runs until killed.

    import argparse
    import gzip
    import json
    import sys
    import threading
    from concurrent import futures
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import grpc
    from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    LOCK = threading.Lock()
    ARGS = None


    def value(any_value):
        kind = any_value.WhichOneof("value")
        if kind is None:
            return None
        if kind == "array_value":
            return [value(v) for v in any_value.array_value.values]
        if kind == "kvlist_value":
            return {kv.key: value(kv.value) for kv in any_value.kvlist_value.values}
        if kind == "bytes_value":
            return any_value.bytes_value.hex()
        return getattr(any_value, kind)


    def text(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (list, dict)):
            return json.dumps(v, separators=(",", ":"))
        return str(v)


    def attributes(key_values):
        # Values as text; their types beside them (types()).
        return {kv.key: text(value(kv.value)) for kv in key_values}


    def types(key_values):
        return {kv.key: (kv.value.WhichOneof("value") or "").replace("_value", "") for kv in key_values}


    def traces(request):
        resources = []
        for resource_spans in request.resource_spans:
            spans = []
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append({
                        "scope": scope_spans.scope.name,
                        "name": span.name,
                        "traceId": span.trace_id.hex(),
                        "spanId": span.span_id.hex(),
                        "parentSpanId": span.parent_span_id.hex(),
                        "traceState": span.trace_state,
                        "kind": span.kind,
                        "startTimeUnixNano": span.start_time_unix_nano,
                        "endTimeUnixNano": span.end_time_unix_nano,
                        "attributes": attributes(span.attributes),
                        "attributeTypes": types(span.attributes),
                        "status": {"code": span.status.code, "message": span.status.message},
                        "events": [{"name": e.name, "attributes": attributes(e.attributes)} for e in span.events],
                    })
            resources.append({"attributes": attributes(resource_spans.resource.attributes), "spans": spans})
        return resources


    def points(metric):
        kind = metric.WhichOneof("data")
        data = getattr(metric, kind)
        result = []
        for point in data.data_points:
            entry = {"attributes": attributes(point.attributes)}
            if kind in ("histogram", "exponential_histogram"):
                entry["count"] = point.count
                entry["sum"] = point.sum
            else:
                entry["value"] = value_of_number(point)
            result.append(entry)
        return kind, result


    def value_of_number(point):
        return point.as_int if point.WhichOneof("value") == "as_int" else point.as_double


    def metrics(request):
        resources = []
        for resource_metrics in request.resource_metrics:
            found = []
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    kind, data = points(metric)
                    found.append({"name": metric.name, "unit": metric.unit, "type": kind, "points": data})
            resources.append({"attributes": attributes(resource_metrics.resource.attributes), "metrics": found})
        return resources


    def span_count(request):
        return sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)


    def send():
        # Sends one span of --trace-id with the --resource attributes, over OTLP/gRPC or OTLP/HTTP (protobuf).
        from opentelemetry.proto.common.v1 import common_pb2
        from opentelemetry.proto.trace.v1 import trace_pb2
        import os
        import time
        import urllib.request

        request = trace_service_pb2.ExportTraceServiceRequest()
        resource_spans = request.resource_spans.add()
        for pair in ARGS.resource:
            key, _, text = pair.partition("=")
            resource_spans.resource.attributes.append(
                common_pb2.KeyValue(key=key, value=common_pb2.AnyValue(string_value=text)))
        span = resource_spans.scope_spans.add().spans.add()
        span.name = "sent span"
        span.trace_id = bytes.fromhex(ARGS.trace_id)
        span.span_id = os.urandom(8)
        span.start_time_unix_nano = time.time_ns()
        span.end_time_unix_nano = span.start_time_unix_nano + 1000
        if ARGS.send == "grpc":
            with grpc.insecure_channel(ARGS.target) as channel:
                trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, timeout=30)
        else:
            http_request = urllib.request.Request(
                ARGS.target + "/v1/traces", data=request.SerializeToString(),
                headers={"Content-Type": "application/x-protobuf"}, method="POST")
            with urllib.request.urlopen(http_request, timeout=30) as response:
                response.read()
        print(json.dumps({"sent": 1}))


    def record(signal, transport, resources, count=0):
        if ARGS.discard:
            line = json.dumps({"signal": signal, "transport": transport, "count": count})
        else:
            line = json.dumps({"signal": signal, "transport": transport, "resources": resources})
        with LOCK:
            with open(ARGS.out, "a") as out:
                out.write(line + "\n")


    class TraceService(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request, context):
            record("traces", "grpc", [] if ARGS.discard else traces(request), span_count(request))
            return trace_service_pb2.ExportTraceServiceResponse()


    class MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
        def Export(self, request, context):
            record("metrics", "grpc", [] if ARGS.discard else metrics(request))
            return metrics_service_pb2.ExportMetricsServiceResponse()


    class HTTPHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding", "") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
                record("traces", "http", [] if ARGS.discard else traces(request), span_count(request))
                answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
            elif self.path == "/v1/metrics":
                request = metrics_service_pb2.ExportMetricsServiceRequest.FromString(body)
                record("metrics", "http", [] if ARGS.discard else metrics(request))
                answer = metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass


    def main():
        global ARGS
        parser = argparse.ArgumentParser()
        parser.add_argument("--out", default="/dev/null")
        parser.add_argument("--grpc-port", type=int, default=0)
        parser.add_argument("--http-port", type=int, default=0)
        parser.add_argument("--discard", action="store_true")
        parser.add_argument("--send", choices=["grpc", "http"])
        parser.add_argument("--target")
        parser.add_argument("--resource", action="append", default=[])
        parser.add_argument("--trace-id")
        ARGS = parser.parse_args()
        if ARGS.send:
            return send()
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(TraceService(), server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(MetricsService(), server)
        grpc_port = server.add_insecure_port(f"127.0.0.1:{ARGS.grpc_port}")
        server.start()
        http = ThreadingHTTPServer(("127.0.0.1", ARGS.http_port), HTTPHandler)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        print(json.dumps({"grpcPort": grpc_port, "httpPort": http.server_address[1]}), flush=True)
        server.wait_for_termination()


    if __name__ == "__main__":
        sys.exit(main())
    """#
