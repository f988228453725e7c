import Foundation
import Hummingbird
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel
import TracetestOTLP

@testable import TracetestTraceSources

/// Tempo's HTTP API, OpenSearch and Elasticsearch against stand-ins written from their wire definitions.
@Suite("Trace stores over HTTP")
struct HTTPStoreTests {
    // MARK: Tempo

    static func tempo(port: Int) -> DataStore {
        DataStore(
            name: "Tempo", type: "tempo",
            tempo: TempoSettings(type: "http", http: HTTPClientSettings(url: "http://127.0.0.1:\(port)")))
    }

    @Test(
        "Tempo over HTTP: JSON with base64 ids and protobuf both give the trace, resource attributes kept",
        arguments: [true, false])
    func tempoHTTP(json: Bool) async throws {
        let traceID = TraceID.random()
        try await withHTTPStandIn(tempoHTTPRouter([traceID: SampleTrace.resourceSpans(traceID)], json: json)) { port in
            let source = try #require(try TraceSources().source(for: Self.tempo(port: port)))
            let spans = try await source.trace(traceID)
            #expect(spans.count == 3)
            let select = try #require(spans.first { $0.name == "SELECT pokemon" })
            #expect(select.attributes["service.name"] == "pokeshop")
            #expect(select.attributes["db.system"] == "postgresql")
            #expect(spans.first { $0.name == "import pokemon" }?.id == select.parentID)

            let missing = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(missing?.kind == .notFound)
            #expect(await ConnectionTest.run(source).allPassed)
        }
    }

    @Test("Tempo's JSON answers: batches first (one pass), batches after other keys, and Tempo 2's trace.resourceSpans")
    func tempoJSONShapes() throws {
        let traceID = TraceID.random()
        var trace = Opentelemetry_Proto_Trace_V1_TracesData()
        trace.resourceSpans = SampleTrace.resourceSpans(traceID)
        let spans = try #require(JSONParser.parse(try trace.jsonString()))["resourceSpans"]?.jsonText ?? "[]"
        for body in [
            #" {"batches":\#(spans)}"#, #"{"metrics":{},"batches":\#(spans)}"#,
            #"{"trace":{"resourceSpans":\#(spans)}}"#,
        ] {
            let batches = try TempoSource.jsonBatches(Data(body.utf8))
            #expect(batches.flatMap(\.scopeSpans).flatMap(\.spans).count == 3, "\(body.prefix(40))")
        }
        #expect(throws: (any Error).self) { try TempoSource.jsonBatches(Data("<html>".utf8)) }
    }

    @Test("Tempo over HTTP reads at most tempo.maxResponseBytes, and says how to read more")
    func tempoHTTPAnswerLimit() async throws {
        let traceID = TraceID.random()
        try await withHTTPStandIn(tempoHTTPRouter([traceID: SampleTrace.resourceSpans(traceID)], json: true)) { port in
            var store = Self.tempo(port: port)
            store.tempo?.maxResponseBytes = 1_024
            let small = try #require(try TraceSources().source(for: store))
            let error = await #expect(throws: TraceSourceError.self) { try await small.trace(traceID) }
            #expect(error?.kind == .invalidAnswer)
            #expect(error?.message.contains("Tempo answered more than 1 KB") == true, "\(String(describing: error))")
            #expect(error?.message.contains("raise tempo.maxResponseBytes") == true)
        }
    }

    @Test("Tempo answering an HTML page is an invalid answer, 401 an authentication failure")
    func tempoGarbage() async throws {
        let router = Router()
        router.get("api/traces/:id") { request, _ -> Response in
            if request.headers[.authorization] == nil {
                return Response(status: .unauthorized)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: "<html><body>Bad Gateway</body></html>")))
        }
        try await withHTTPStandIn(router) { port in
            var store = Self.tempo(port: port)
            let unauthenticated = try #require(try TraceSources().source(for: store))
            let refused = await #expect(throws: TraceSourceError.self) { try await unauthenticated.trace(.random()) }
            #expect(refused?.kind == .authentication)
            let test = await ConnectionTest.run(unauthenticated)
            #expect(test.authentication?.status == .failed)

            store.tempo?.http?.headers = ["Authorization": "Bearer secret-token"]
            let source = try #require(try TraceSources().source(for: store))
            let garbage = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(garbage?.kind == .invalidAnswer)
            #expect(garbage?.message.contains("Bad Gateway") == true, "\(String(describing: garbage))")
            #expect(garbage?.message.contains("secret-token") == false)
        }
    }

    // MARK: OpenSearch and Elasticsearch

    /// `POST /{index}/_search` paging with `from`/`size` over `documents` when the query names `traceID`.
    static func searchRouter(index: String, documents: @escaping @Sendable (String) -> [String], user: String? = nil)
        -> Router<BasicRequestContext>
    {
        let router = Router()
        router.post(":index/_search") { request, context -> Response in
            if let user, request.headers[.authorization] != "Basic " + Data("\(user):pw".utf8).base64EncodedString() {
                return Response(status: .unauthorized)
            }
            guard try context.parameters.require("index") == index else {
                let missing = #"{"error":{"type":"index_not_found_exception","reason":"no such index"},"status":404}"#
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: missing)))
            }
            let body = try await request.body.collect(upTo: 1 << 20)
            let query = try #require(JSONParser.parse(String(buffer: body)))
            let all = documents(query["query"]?.jsonText ?? "")
            let from = Int(query["from"]?.plainText ?? "0") ?? 0
            let size = Int(query["size"]?.plainText ?? "10") ?? 10
            let page = all.dropFirst(from).prefix(size).map { "{\"_source\":\($0)}" }.joined(separator: ",")
            let answer = "{\"hits\":{\"total\":{\"value\":\(all.count),\"relation\":\"eq\"},\"hits\":[\(page)]}}"
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return router
    }

    @Test("an index that does not exist fails at once, naming the setting (not polled until the timeout)")
    func missingIndex() async throws {
        try await withHTTPStandIn(Self.searchRouter(index: "traces", documents: { _ in [] })) { port in
            let store = DataStore(
                name: "OpenSearch", type: "opensearch",
                opensearch: ElasticSettings(addresses: ["http://127.0.0.1:\(port)"], index: "tracez"))
            let source = try #require(try TraceSources().source(for: store))
            let error = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(error?.kind == .failed)
            #expect(error?.message.contains("has no such index: check the data store's index") == true)
        }
    }

    @Test("OpenSearch over HTTPS: trusted through certificate (the CA's PEM) or insecureSkipVerify, refused otherwise")
    func openSearchTLS() async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)
            let traceID = TraceID.random()
            let document = """
                {"traceId":"\(traceID.hex)","spanId":"\(SpanID.random().hex)","name":"GET /","kind":"SPAN_KIND_SERVER",
                 "startTime":"2026-12-06T10:00:00Z","endTime":"2026-12-06T10:00:01Z","serviceName":"api"}
                """
            let router = Self.searchRouter(index: "traces", documents: { $0.contains(traceID.hex) ? [document] : [] })
            try await withHTTPStandIn(router, tls: (certificate, key)) { port in
                func source(_ change: (inout ElasticSettings) -> Void) throws -> any TraceSource {
                    var settings = ElasticSettings(addresses: ["https://localhost:\(port)"], index: "traces")
                    change(&settings)
                    return try #require(
                        try TraceSources().source(for: DataStore(name: "O", type: "opensearch", opensearch: settings)))
                }
                let pem = try String(contentsOfFile: certificate, encoding: .utf8)
                #expect(try await source { $0.certificate = pem }.trace(traceID).map(\.name) == ["GET /"])
                #expect(try await source { $0.insecureSkipVerify = true }.trace(traceID).map(\.name) == ["GET /"])
                let refused = await #expect(throws: TraceSourceError.self) { try await source { _ in }.trace(traceID) }
                #expect(refused?.kind == .unreachable, "\(String(describing: refused))")
                let badPEM = await #expect(throws: TraceSourceError.self) {
                    try await source { $0.certificate = "not a certificate" }.trace(traceID)
                }
                #expect(badPEM?.message.contains("TLS certificate or key cannot be read") == true)
            }
        }
    }

    @Test("Tempo over HTTPS trusts the CA of tls.settings.cAFile")
    func tempoHTTPS() async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)
            let traceID = TraceID.random()
            let router = tempoHTTPRouter([traceID: SampleTrace.resourceSpans(traceID)], json: false)
            try await withHTTPStandIn(router, tls: (certificate, key)) { port in
                var http = HTTPClientSettings(url: "https://localhost:\(port)")
                http.tls = TLSSettings(insecure: false)
                http.tls?.settings = .init(cAFile: certificate)
                let store = DataStore(name: "T", type: "tempo", tempo: TempoSettings(type: "http", http: http))
                let source = try #require(try TraceSources().source(for: store))
                #expect(try await source.trace(traceID).count == 3)
            }
        }
    }

    /// Data Prepper documents of a two-span trace: `GET /pokemon` (server) → `SELECT pokemon` (client, postgresql).
    static func openSearchDocuments(_ traceID: TraceID, root: SpanID, child: SpanID) -> [String] {
        [
            """
            {"traceId":"\(traceID.hex)","spanId":"\(root.hex)","parentSpanId":"","name":"GET /pokemon","kind":"SPAN_KIND_SERVER",
             "startTime":"2026-12-06T10:00:00.000001Z","endTime":"2026-12-06T10:00:00.250001Z","serviceName":"pokeshop",
             "span.attributes.http@method":"GET","resource.attributes.service@name":"pokeshop","status.code":1}
            """,
            """
            {"traceId":"\(traceID.hex)","spanId":"\(child.hex)","parentSpanId":"\(root.hex)","name":"SELECT pokemon",
             "kind":"SPAN_KIND_CLIENT","startTime":"2026-12-06T10:00:00.1Z","endTime":"2026-12-06T10:00:00.2Z",
             "span.attributes.db@system":"postgresql","resource.attributes.service@name":"pokeshop"}
            """,
        ]
    }

    @Test("OpenSearch: Data Prepper documents, parents kept (upstream loses them), attributes from span. and resource.")
    func openSearch() async throws {
        let traceID = TraceID.random()
        let (root, child) = (SpanID.random(), SpanID.random())
        let documents = Self.openSearchDocuments(traceID, root: root, child: child)
        let router = Self.searchRouter(
            index: "otel-v1-apm-span", documents: { $0.contains(traceID.hex) ? documents : [] })
        try await withHTTPStandIn(router) { port in
            let store = DataStore(
                name: "OpenSearch", type: "opensearch",
                opensearch: ElasticSettings(addresses: ["http://127.0.0.1:\(port)"], index: "otel-v1-apm-span"))
            let source = try #require(try TraceSources().source(for: store))
            let spans = try await source.trace(traceID)
            let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
            #expect(byName["SELECT pokemon"]?.parentID == root)
            #expect(byName["SELECT pokemon"]?.kind == .client)
            #expect(byName["SELECT pokemon"]?.attributes["db.system"] == "postgresql")
            #expect(byName["GET /pokemon"]?.attributes["http.method"] == "GET")
            #expect(byName["GET /pokemon"]?.status?.code == "STATUS_CODE_OK")
            #expect(
                byName["GET /pokemon"]?.endTimeUnixNano == (byName["GET /pokemon"]?.startTimeUnixNano ?? 0)
                    + 250_000_000)
            #expect(spans.allSatisfy { $0.attributes["service.name"] == "pokeshop" })
            let missing = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
            #expect(missing?.kind == .notFound)
            #expect(await ConnectionTest.run(source).allPassed)
        }
    }

    @Test("Elastic APM: every hit is read, past the first page (upstream reads 10), with basic authentication")
    func elasticPaging() async throws {
        let traceID = TraceID.random()
        let root = SpanID.random()
        var documents = [
            """
            {"trace":{"id":"\(traceID.hex)"},"transaction":{"id":"\(root.hex)","name":"POST /import","type":"request",
             "duration":{"us":5000}},"service":{"name":"pokeshop"},"@timestamp":"2026-12-06T10:00:00Z",
             "event":{"outcome":"success"},"http":{"response":{"status_code":200}}}
            """
        ]
        for index in 0..<1_500 {
            documents.append(
                """
                {"trace":{"id":"\(traceID.hex)"},"span":{"id":"\(SpanID(UInt64(index + 1)).hex)","name":"step \(index)",
                 "duration":{"us":10}},"parent":{"id":"\(root.hex)"},"service":{"name":"pokeshop"},
                 "@timestamp":"2026-12-06T10:00:00.001Z","labels":{"index":"\(index)"}}
                """)
        }
        let all = documents
        let router = Self.searchRouter(
            index: "traces-apm", documents: { $0.contains(traceID.hex) ? all : [] }, user: "elastic")
        try await withHTTPStandIn(router) { port in
            var settings = ElasticSettings(
                addresses: ["http://127.0.0.1:\(port)"], username: "elastic", password: "wrong", index: "traces-apm")
            let refused = try #require(
                try TraceSources().source(for: DataStore(name: "E", type: "elasticapm", elasticapm: settings)))
            #expect(await ConnectionTest.run(refused).authentication?.status == .failed)

            settings.password = "pw"
            let source = try #require(
                try TraceSources().source(for: DataStore(name: "E", type: "elasticapm", elasticapm: settings)))
            let spans = try await source.trace(traceID)
            #expect(spans.count == 1_501)
            let transaction = try #require(spans.first { $0.id == root })
            #expect(transaction.name == "POST /import")
            #expect(transaction.kind == .server)
            #expect(transaction.endTimeUnixNano - transaction.startTimeUnixNano == 5_000_000)
            #expect(transaction.attributes["http.response.status_code"] == "200")
            #expect(transaction.attributes["service.name"] == "pokeshop")
            #expect(transaction.status?.code == "STATUS_CODE_OK")
            let step = try #require(spans.first { $0.name == "step 1499" })
            #expect(step.parentID == root)
            #expect(step.attributes["labels.index"] == "1499")
        }
    }

    /// Each HTTP store's data store pointing at `port`.
    static func httpStores(port: Int) -> [DataStore] {
        let url = "http://127.0.0.1:\(port)"
        return [
            DataStore(name: "T", type: "tempo", tempo: TempoSettings(type: "http", http: HTTPClientSettings(url: url))),
            DataStore(name: "O", type: "opensearch", opensearch: ElasticSettings(addresses: [url], index: "traces")),
            DataStore(name: "E", type: "elasticapm", elasticapm: ElasticSettings(addresses: [url], index: "traces")),
            DataStore(name: "S", type: "signalfx", signalfx: SignalFXSettings(realm: "us1", token: "t", url: url)),
            DataStore(
                name: "X", type: "awsxray",
                awsxray: AWSXRaySettings(region: "us-east-1", accessKeyId: "a", secretAccessKey: "s", url: url)),
            DataStore(
                name: "A", type: "azureappinsights",
                azureappinsights: AzureAppInsightsSettings(
                    connectionType: "direct", resourceArmId: "/r", accessToken: "t", url: url)),
            DataStore(
                name: "U", type: "sumologic", sumologic: SumoLogicSettings(url: url, accessID: "i", accessKey: "k")),
        ]
    }

    @Test(
        "every HTTP store: the connection test fails at connectivity on a closed port, and a run fails as unreachable")
    func closedPort() async throws {
        try await withClosedPort { port in
            for store in Self.httpStores(port: port) {
                try store.validate()
                let source = try #require(try TraceSources().source(for: store))
                let result = await ConnectionTest.run(source)
                #expect(result.connectivity?.status == .failed, "\(store.type): \(result)")
                #expect(result.authentication == nil, "\(store.type)")
                let error = await #expect(throws: TraceSourceError.self) { try await source.trace(.random()) }
                #expect(error?.kind == .unreachable, "\(store.type): \(String(describing: error))")
            }
        }
    }

    @Test(
        "every HTTP store: a store refusing the credentials (401, 403) fails the authentication step",
        arguments: [401, 403])
    func refusedCredentials(status: Int) async throws {
        let router = Router()
        router.on(RouterPath("**"), method: .get) { _, _ in Response(status: .init(code: status)) }
        router.on(RouterPath("**"), method: .post) { _, _ in Response(status: .init(code: status)) }
        try await withHTTPStandIn(router) { port in
            for store in Self.httpStores(port: port) {
                let result = await ConnectionTest.run(try #require(try TraceSources().source(for: store)))
                #expect(result.connectivity?.status == .passed, "\(store.type)")
                #expect(result.authentication?.status == .failed, "\(store.type): \(result)")
            }
        }
    }
}
