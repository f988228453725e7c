import AsyncHTTPClient
import CompressNIO
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOSSL
import ServiceLifecycle
import SwiftProtobuf
import TracetestConfig
import TracetestModel
import TracetestOTLP

typealias ExportTraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias OTLPResource = Opentelemetry_Proto_Resource_V1_Resource

/// What the standard `OTEL_EXPORTER_OTLP_*` variables set for span export; the `OTEL_EXPORTER_OTLP_TRACES_*` form
/// of each wins over the shared one. The endpoint and protocol come from `tracetest.yaml`, as in Tracetest.
struct OTLPExportOptions: Sendable, Equatable {
    var headers: [String: String] = [:]
    var gzip = false
    /// The limit of one export request (`…_TIMEOUT`, in milliseconds).
    var timeout = Telemetry.exportTimeout
    /// A PEM file of the roots that verify the collector's certificate (`…_CERTIFICATE`).
    var certificate: String?
    /// A client certificate and its key, PEM (`…_CLIENT_CERTIFICATE`, `…_CLIENT_KEY`).
    var clientCertificate: String?
    var clientKey: String?

    init() {}

    init(environment: [String: String]) throws(TelemetryError) {
        func value(_ name: String) -> (key: String, value: String)? {
            for key in ["OTEL_EXPORTER_OTLP_TRACES_\(name)", "OTEL_EXPORTER_OTLP_\(name)"] {
                if let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                    return (key, value)
                }
            }
            return nil
        }
        if let (key, text) = value("HEADERS") {
            headers = try Self.pairs(text, variable: key)
        }
        if let (key, text) = value("COMPRESSION") {
            switch text.lowercased() {
            case "gzip": gzip = true
            case "none": gzip = false
            default: throw TelemetryError("\(key): \"\(text)\" is not a compression; use gzip or none")
            }
        }
        if let (key, text) = value("TIMEOUT") {
            guard let milliseconds = Int(text), milliseconds > 0 else {
                throw TelemetryError("\(key): \"\(text)\" is not a timeout; write milliseconds, for example 10000")
            }
            timeout = .milliseconds(milliseconds)
        }
        // Read when the first batch goes out: a path that cannot be read stops start-up instead.
        func file(_ name: String) throws(TelemetryError) -> String? {
            guard let (key, path) = value(name) else { return nil }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw TelemetryError("\(key): cannot read \"\(path)\"; give the path of a readable PEM file")
            }
            return path
        }
        certificate = try file("CERTIFICATE")
        clientCertificate = try file("CLIENT_CERTIFICATE")
        clientKey = try file("CLIENT_KEY")
        if (clientCertificate == nil) != (clientKey == nil) {
            throw TelemetryError(
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY go together: set both or neither"
            )
        }
    }

    /// Comma-separated `key=value` pairs, each part percent-decoded and trimmed (the format of
    /// `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_RESOURCE_ATTRIBUTES`).
    static func pairs(_ text: String, variable: String) throws(TelemetryError) -> [String: String] {
        var pairs: [String: String] = [:]
        for (index, item) in text.split(separator: ",").enumerated() {
            let parts = item.split(separator: "=", maxSplits: 1)
            let key = parts.first.flatMap { $0.removingPercentEncoding }?.trimmingCharacters(in: .whitespaces)
            guard parts.count == 2, let key, !key.isEmpty,
                let value = parts[1].removingPercentEncoding?.trimmingCharacters(in: .whitespaces)
            else {
                throw TelemetryError(
                    "\(variable): item \(index + 1) (\"\(item)\") is not key=value; write key1=value1,key2=value2 "
                        + "with reserved characters percent-encoded")
            }
            pairs[key] = value
        }
        return pairs
    }
}

/// A failed export request; retryable failures (the collector is unavailable, busy or timed out) are tried again.
struct OTLPExportError: Error, CustomStringConvertible {
    var description: String
    var isRetryable: Bool
}

/// Sends one OTLP export request.
protocol OTLPSpanSender: Sendable {
    func send(_ request: ExportTraceRequest) async throws(OTLPExportError)
}

/// Sends the queued spans of one exporter: every ``Telemetry/scheduleDelay``, in batches of at most
/// ``Telemetry/maxExportBatchSize``, each retried with backoff for up to ``Telemetry/batchExportTimeout``, then
/// given up and counted. At graceful shutdown it sends what is left and returns.
struct SpanExportService<C: Clock>: Service where C.Duration == Duration {
    let queue: SpanQueue
    let resource: OTLPResource
    let endpoint: ExporterEndpoint
    let options: OTLPExportOptions
    let monitor: ExportMonitor
    let clock: C

    func run() async throws {
        try await OTLPSenders.withSender(endpoint: endpoint, options: options) { sender in
            var stopping = false
            while !stopping {
                do {
                    try await cancelWhenGracefulShutdown { try await clock.sleep(for: Telemetry.scheduleDelay) }
                } catch {
                    stopping = true
                }
                await exportQueued(sender)
                if Task.isCancelled { return }
            }
        }
    }

    /// Sends everything queued now, batch by batch.
    func exportQueued(_ sender: any OTLPSpanSender) async {
        while true {
            let (spans, dropped) = queue.take(upTo: Telemetry.maxExportBatchSize)
            if dropped > 0 { monitor.spansDropped(dropped) }
            guard !spans.isEmpty else { return }
            do {
                try await send(OTLPSpanEncoding.request(spans, resource: resource), with: sender)
                // Spans dropped while this batch was retried belong to the outage that now ends.
                let late = queue.takeDropped()
                if late > 0 { monitor.spansDropped(late) }
                monitor.batchExported()
            } catch {
                monitor.batchFailed(lost: spans.count, reason: error.description)
            }
            if spans.count < Telemetry.maxExportBatchSize || Task.isCancelled { return }
        }
    }

    private func send(_ request: ExportTraceRequest, with sender: any OTLPSpanSender) async throws(OTLPExportError) {
        let deadline = clock.now.advanced(by: Telemetry.batchExportTimeout)
        var backoff = Duration.milliseconds(200)
        while true {
            do {
                return try await sender.send(request)
            } catch  where error.isRetryable {
                let wait = backoff * Double.random(in: 0.5...1)
                guard clock.now.advanced(by: wait) < deadline else { throw error }
                do {
                    try await clock.sleep(for: wait)
                } catch {
                    throw OTLPExportError(description: "export cancelled", isRetryable: false)
                }
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}

/// Clients for the two OTLP transports, living as long as the export service.
enum OTLPSenders {
    static func withSender(
        endpoint: ExporterEndpoint,
        options: OTLPExportOptions,
        _ body: (any OTLPSpanSender) async throws -> Void
    ) async throws {
        switch endpoint {
        case .grpc(let url):
            guard let components = URLComponents(string: url), let host = components.host, let port = components.port
            else { throw TelemetryError("\(url) is not a gRPC endpoint") }
            let tls = components.scheme == "https"
            let security: HTTP2ClientTransport.Posix.TransportSecurity =
                tls
                ? .tls { configuration in
                    if let certificate = options.certificate {
                        configuration.trustRoots = .certificates([.file(path: certificate, format: .pem)])
                    }
                    if let certificate = options.clientCertificate, let key = options.clientKey {
                        configuration.certificateChain = [.file(path: certificate, format: .pem)]
                        configuration.privateKey = .file(path: key, format: .pem)
                    }
                } : .plaintext
            var config = HTTP2ClientTransport.Posix.Config.defaults
            config.compression.enabledAlgorithms = .all
            let transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port),
                transportSecurity: security, config: config)
            try await withGRPCClient(transport: transport) { client in
                try await body(GRPCSpanSender(client: client, options: options))
            }
        case .http:
            var configuration = HTTPClient.Configuration()
            var tls = TLSConfiguration.makeClientConfiguration()
            if let certificate = options.certificate {
                tls.trustRoots = .file(certificate)
            }
            if let certificate = options.clientCertificate, let key = options.clientKey {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            configuration.tlsConfiguration = tls
            configuration.connectionPool.idleTimeout = .seconds(30)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            do {
                try await body(HTTPSpanSender(client: client, url: endpoint.tracesURL, options: options))
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}

/// OTLP/gRPC `TraceService/Export`.
struct GRPCSpanSender: OTLPSpanSender {
    let client: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client<HTTP2ClientTransport.Posix>
    let metadata: Metadata
    let options: CallOptions

    init(client: GRPCClient<HTTP2ClientTransport.Posix>, options: OTLPExportOptions) {
        self.client = .init(wrapping: client)
        var metadata = Metadata()
        for (key, value) in options.headers { metadata.addString(value, forKey: key.lowercased()) }
        self.metadata = metadata
        var callOptions = CallOptions.defaults
        callOptions.timeout = options.timeout
        callOptions.waitForReady = false
        if options.gzip { callOptions.compression = .gzip }
        self.options = callOptions
    }

    /// The status codes OpenTelemetry's OTLP specification lists as retryable.
    static let retryable: Set<RPCError.Code> = [
        .cancelled, .deadlineExceeded, .resourceExhausted, .aborted, .outOfRange, .unavailable, .dataLoss,
    ]

    func send(_ request: ExportTraceRequest) async throws(OTLPExportError) {
        do {
            _ = try await client.export(request, metadata: metadata, options: options)
        } catch let error as RPCError {
            throw OTLPExportError(
                description: "\(error.code): \(error.message)", isRetryable: Self.retryable.contains(error.code))
        } catch {
            throw OTLPExportError(description: String(describing: error), isRetryable: true)
        }
    }
}

/// OTLP/HTTP `POST …/v1/traces` with a protobuf body.
struct HTTPSpanSender: OTLPSpanSender {
    let client: HTTPClient
    let url: String
    let options: OTLPExportOptions

    /// The answers OpenTelemetry's OTLP specification lists as retryable.
    static let retryable: Set<UInt> = [429, 502, 503, 504]

    func send(_ request: ExportTraceRequest) async throws(OTLPExportError) {
        do {
            var body = ByteBuffer(bytes: try request.serializedBytes() as [UInt8])
            var http = HTTPClientRequest(url: url)
            http.method = .POST
            http.headers.add(name: "Content-Type", value: "application/x-protobuf")
            for (key, value) in options.headers { http.headers.replaceOrAdd(name: key, value: value) }
            if options.gzip {
                body = try body.compress(with: .gzip())
                http.headers.add(name: "Content-Encoding", value: "gzip")
            }
            http.body = .bytes(body)
            let response = try await client.execute(
                http, timeout: .milliseconds(Int64(options.timeout / .milliseconds(1))))
            let answer = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                let text = String(buffer: answer).prefix(200)
                throw OTLPExportError(
                    description: "HTTP \(response.status.code)\(text.isEmpty ? "" : ": \(text)")",
                    isRetryable: Self.retryable.contains(response.status.code))
            }
        } catch let error as OTLPExportError {
            throw error
        } catch let error as NIOSSLError {
            // A certificate the exporter does not trust stays untrusted: give the batch up at once.
            throw OTLPExportError(description: String(describing: error), isRetryable: false)
        } catch {
            throw OTLPExportError(description: String(describing: error), isRetryable: true)
        }
    }
}

/// Finished spans as an OTLP export request.
enum OTLPSpanEncoding {
    static func request(_ spans: [FinishedSpan], resource: OTLPResource) -> ExportTraceRequest {
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.scope.name = "tracetest"
        scope.scope.version = TracetestVersion.current
        scope.spans = spans.map(span)
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource = resource
        resourceSpans.scopeSpans = [scope]
        var request = ExportTraceRequest()
        request.resourceSpans = [resourceSpans]
        return request
    }

    static func resource(_ attributes: [String: String]) -> OTLPResource {
        var resource = OTLPResource()
        resource.attributes = attributes.sorted { $0.key < $1.key }.map { keyValue($0.key, .string($0.value)) }
        return resource
    }

    static func span(_ finished: FinishedSpan) -> Opentelemetry_Proto_Trace_V1_Span {
        var span = Opentelemetry_Proto_Trace_V1_Span()
        span.traceID = Data(finished.context.traceID.bytes)
        span.spanID = Data(finished.context.spanID.bytes)
        if let parent = finished.parentSpanID { span.parentSpanID = Data(parent.bytes) }
        span.traceState = finished.context.traceState
        span.flags = 1
        span.name = finished.name
        span.kind =
            switch finished.kind {
            case .internal: .internal
            case .server: .server
            case .client: .client
            case .producer: .producer
            case .consumer: .consumer
            }
        span.startTimeUnixNano = finished.start
        span.endTimeUnixNano = finished.end
        span.attributes = finished.attributes.map { keyValue($0.key, $0.value) }
        span.events = finished.events.map { event in
            var converted = Opentelemetry_Proto_Trace_V1_Span.Event()
            converted.name = event.name
            converted.timeUnixNano = event.time
            converted.attributes = event.attributes.map { keyValue($0.key, $0.value) }
            return converted
        }
        if let message = finished.errorMessage {
            span.status.code = .error
            span.status.message = message
        }
        return span
    }

    static func keyValue(_ key: String, _ value: TelemetryAttributeValue) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var pair = Opentelemetry_Proto_Common_V1_KeyValue()
        pair.key = key
        switch value {
        case .string(let text): pair.value.stringValue = text
        case .int(let number): pair.value.intValue = number
        case .bool(let flag): pair.value.boolValue = flag
        case .double(let number): pair.value.doubleValue = number
        }
        return pair
    }
}
