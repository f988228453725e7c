import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import ServerTestSupport
import Synchronization
import TestSupport
import Testing
import TracetestModel

@testable import TracetestTraceSources

/// SignalFx, Sumo Logic and Azure against stand-ins written from their API definitions (reached through the `url`
/// key), and AWS X-Ray against moto's emulator.
@Suite("Trace stores: SignalFx, Sumo Logic, Azure Application Insights, AWS X-Ray")
struct CloudStoreTests {
    static let traceID = TraceID.random()
    static let root = SpanID.random()
    static let child = SpanID.random()

    /// Two segments of one span each; `X-SF-Token` must be `token`.
    static func signalFxRouter(token: String) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("v2/apm/trace/:id/segments") { request, context -> Response in
            guard request.headers[HTTPField.Name("X-SF-Token")!] == token else {
                return Response(status: .unauthorized)
            }
            let found = try context.parameters.require("id") == traceID.hex
            return json(found ? "[1700000000000000, 1700000000500000]" : "[]")
        }
        router.get("v2/apm/trace/:id/:segment") { request, context -> Response in
            let segment = try context.parameters.require("segment")
            let span =
                segment == "1700000000000000"
                ? """
                {"traceId":"\(traceID.hex)","spanId":"\(root.hex)","operationName":"GET /pokemon",
                 "startTime":"2026-12-06T10:00:00Z","durationMicros":250000,
                 "tags":{"span.kind":"server","http.method":"GET"},"processTags":{"service.name":"pokeshop"}}
                """
                : """
                {"traceId":"\(traceID.hex)","spanId":"\(child.hex)","parentId":"\(root.hex)",
                 "operationName":"SELECT pokemon","startTime":"2026-12-06T10:00:00.1Z","durationMicros":1000,
                 "tags":{"span.kind":"client","db.system":"postgresql"},"processTags":{"service.name":"pokeshop"}}
                """
            return json("[\(span)]")
        }
        return router
    }

    /// Sumo Logic's span pages (two, linked by `next`) and span details, with basic authentication `id:key`; when
    /// `rateLimited`, the first details request is answered 429.
    static func sumoLogicRouter(rateLimited: Bool) -> Router<BasicRequestContext> {
        let limited = Mutex(rateLimited ? 1 : 0)
        let router = Router()
        let authorization = "Basic " + Data("id:key".utf8).base64EncodedString()
        router.get("api/v1/tracing/traces/:id/spans") { request, context -> Response in
            guard request.headers[.authorization] == authorization else { return Response(status: .unauthorized) }
            guard try context.parameters.require("id") == Self.traceID.hex else { return Response(status: .notFound) }
            if request.uri.queryParameters["token"] == "page 2" {
                return Self.json(
                    #"{"spanPage":[{"id":"\#(Self.child.hex)","parentId":"\#(Self.root.hex)","operationName":"SELECT pokemon","startedAt":"2026-12-06T10:00:00.1Z","duration":1000000}],"totalCount":2,"next":null}"#
                )
            }
            return Self.json(
                #"{"spanPage":[{"id":"\#(Self.root.hex)","operationName":"GET /pokemon","startedAt":"2026-12-06T10:00:00Z","duration":250000000}],"totalCount":2,"next":"page 2"}"#
            )
        }
        router.get("api/v1/tracing/traces/:id/spans/:span") { request, context -> Response in
            // The first details request is refused as over the rate limit.
            if limited.withLock({ count in
                defer { count = 0 }; return count > 0
            }) {
                return Self.json(#"{"errors":[{"code":"rate.limit"}]}"#, status: .tooManyRequests)
            }
            let span = try context.parameters.require("span")
            let name = span == Self.root.hex ? "http.method" : "db.system"
            let value = span == Self.root.hex ? "GET" : "postgresql"
            return Self.json(
                #"{"fields":{"\#(name)":{"type":"string","value":"\#(value)"},"service.name":{"type":"string","value":"pokeshop"}},"events":[{"timestamp":"2026-12-06T10:00:00.05Z","name":"cache miss","attributes":[{"attributeName":"key","attributeValue":{"value":"pikachu"}}]}]}"#
            )
        }
        return router
    }

    static let azureResource = "/subscriptions/s/resourceGroups/g/providers/microsoft.insights/components/pokeshop"

    /// The Logs query API of one Application Insights resource (``azureResource``), bearer token `azure-token`.
    static func azureRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/subscriptions/s/resourceGroups/g/providers/microsoft.insights/components/pokeshop/query") {
            request, _ -> Response in
            guard request.headers[.authorization] == "Bearer azure-token" else { return Response(status: .forbidden) }
            let body = try await request.body.collect(upTo: 1 << 16)
            let query = try #require(JSONParser.parse(String(buffer: body)))["query"]?.plainText ?? ""
            let columns =
                #"[{"name":"itemType","type":"string"},{"name":"id","type":"string"},{"name":"name","type":"string"},{"name":"timestamp","type":"datetime"},{"name":"duration","type":"real"},{"name":"operation_ParentId","type":"string"},{"name":"customDimensions","type":"dynamic"},{"name":"cloud_RoleName","type":"string"},{"name":"message","type":"string"}]"#
            guard query == "union * | where operation_Id == '\(Self.traceID.hex)'" else {
                return Self.json(#"{"tables":[{"name":"PrimaryResult","columns":\#(columns),"rows":[]}]}"#)
            }
            let rows = """
                [["request","\(Self.root.hex)","GET /pokemon","2026-12-06T10:00:00Z",250,"","{\\"http.method\\":\\"GET\\"}","pokeshop",""],
                 ["dependency","\(Self.child.hex)","SELECT pokemon","2026-12-06T10:00:00.1Z",1.5,"\(Self.root.hex)",{"db.system":"postgresql"},"pokeshop",""],
                 ["trace","","","2026-12-06T10:00:00.05Z",0,"\(Self.root.hex)","{}","pokeshop","cache miss"]]
                """
            return Self.json(#"{"tables":[{"name":"PrimaryResult","columns":\#(columns),"rows":\#(rows)}]}"#)
        }
        return router
    }

    /// Runs `body` with moto's X-Ray emulator (Tests/Demo/xray_moto.py, signatures checked): a scratch directory, the
    /// emulator's port and the access key it accepts.
    static func withMoto(_ body: (String, Int, String, String) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let file = "\(directory)/credentials.json"
            try await Python.withService("xray_moto.py", ["--credentials", file]) { port in
                guard let keys = JSONParser.parse(try String(contentsOfFile: file, encoding: .utf8)) else {
                    throw TestServerError("xray_moto.py wrote no credentials")
                }
                try await body(
                    directory, port, keys["accessKeyId"]?.plainText ?? "", keys["secretAccessKey"]?.plainText ?? "")
            }
        }
    }

    /// Stores `segment` in the X-Ray emulator on `port` (`PutTraceSegments`, signed).
    static func putSegment(_ segment: String, port: Int, keyID: String, secret: String) async throws {
        var put = "{\"TraceSegmentDocuments\":["
        WireValue.writeJSONString(segment, into: &put)
        put += "]}"
        let body = Array(put.utf8)
        let headers = [("Content-Type", "application/json"), ("Host", "127.0.0.1:\(port)")]
        let signer = SigV4(
            accessKeyID: keyID, secretAccessKey: secret, region: "us-east-1", service: "xray")
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/TraceSegments")
        request.method = .POST
        for (name, value) in headers
            + signer.sign(method: "POST", path: "/TraceSegments", headers: headers, body: body, date: Date())
        {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(body)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw TestServerError("PutTraceSegments answered \(response.status)") }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Test("SignalFx: segments, then their spans, tags as attributes, span.kind as the kind")
    func signalFx() async throws {
        try await withHTTPStandIn(Self.signalFxRouter(token: "sfx")) { port in
            func source(_ token: String) throws -> any TraceSource {
                try #require(
                    try TraceSources().source(
                        for: DataStore(
                            name: "S", type: "signalfx",
                            signalfx: SignalFXSettings(realm: "us1", token: token, url: "http://127.0.0.1:\(port)"))))
            }
            let spans = try await source("sfx").trace(Self.traceID)
            let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
            #expect(byName["GET /pokemon"]?.kind == .server)
            #expect(byName["GET /pokemon"]?.attributes["http.method"] == "GET")
            #expect(byName["GET /pokemon"].map { $0.endTimeUnixNano - $0.startTimeUnixNano } == 250_000_000)
            #expect(byName["SELECT pokemon"]?.parentID == Self.root)
            #expect(byName["SELECT pokemon"]?.attributes["tracetest.span.type"] == "database")
            #expect(spans.allSatisfy { $0.attributes["service.name"] == "pokeshop" })
            let missing = await #expect(throws: TraceSourceError.self) { try await source("sfx").trace(.random()) }
            #expect(missing?.kind == .notFound)
            #expect(await ConnectionTest.run(try source("sfx")).allPassed)
            #expect(await ConnectionTest.run(try source("wrong")).authentication?.status == .failed)
        }
    }

    @Test("Sumo Logic: span pages followed by `next`, details once complete, 429 waited out, basic authentication")
    func sumoLogic() async throws {
        let router = Self.sumoLogicRouter(rateLimited: true)
        try await withHTTPStandIn(router) { port in
            let store = DataStore(
                name: "Sumo", type: "sumologic",
                sumologic: SumoLogicSettings(url: "http://127.0.0.1:\(port)/api/", accessID: "id", accessKey: "key"))
            let source = try #require(try TraceSources().source(for: store))
            let summaries = try await source.trace(Self.traceID)
            #expect(summaries.map(\.name).sorted() == ["GET /pokemon", "SELECT pokemon"])
            #expect(summaries.first { $0.name == "SELECT pokemon" }?.parentID == Self.root)

            var fast = try #require(source as? SumoLogicSource)
            fast.rateLimitWait = .milliseconds(10)
            let detailed = try await fast.completed(summaries, of: Self.traceID)
            let select = try #require(detailed.first { $0.name == "SELECT pokemon" })
            #expect(select.attributes["db.system"] == "postgresql")
            #expect(select.attributes["tracetest.span.type"] == "database")
            #expect(select.attributes["service.name"] == "pokeshop")
            #expect(select.events.first?.name == "cache miss")
            #expect(select.events.first?.attributes["key"] == "pikachu")
            #expect(await ConnectionTest.run(source).allPassed)
        }
    }

    @Test(
        "Azure Application Insights: KQL over the Logs query API, rows as spans, trace rows as events, duration in ms")
    func azure() async throws {
        let router = Self.azureRouter()
        let resource = Self.azureResource
        try await withHTTPStandIn(router) { port in
            func source(_ token: String) throws -> any TraceSource {
                try #require(
                    try TraceSources().source(
                        for: DataStore(
                            name: "A", type: "azureappinsights",
                            azureappinsights: AzureAppInsightsSettings(
                                connectionType: "direct", resourceArmId: resource, accessToken: token,
                                url: "http://127.0.0.1:\(port)"))))
            }
            let spans = try await source("azure-token").trace(Self.traceID)
            let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
            let request = try #require(byName["GET /pokemon"])
            #expect(request.kind == .server)
            #expect(request.endTimeUnixNano - request.startTimeUnixNano == 250_000_000)
            #expect(request.attributes["http.method"] == "GET")
            #expect(request.events.map(\.name) == ["cache miss"])
            #expect(byName["SELECT pokemon"]?.parentID == Self.root)
            #expect(byName["SELECT pokemon"]?.attributes["db.system"] == "postgresql")
            #expect(spans.allSatisfy { $0.attributes["service.name"] == "pokeshop" })
            let missing = await #expect(throws: TraceSourceError.self) {
                try await source("azure-token").trace(.random())
            }
            #expect(missing?.kind == .notFound)
            #expect(await ConnectionTest.run(try source("azure-token")).allPassed)
            #expect(await ConnectionTest.run(try source("wrong")).authentication?.status == .failed)
            // A resource that does not exist is an error, not a trace still to come.
            let elsewhere = try #require(
                try TraceSources().source(
                    for: DataStore(
                        name: "A", type: "azureappinsights",
                        azureappinsights: AzureAppInsightsSettings(
                            connectionType: "direct", resourceArmId: "/subscriptions/none", accessToken: "azure-token",
                            url: "http://127.0.0.1:\(port)"))))
            let absent = await #expect(throws: TraceSourceError.self) { try await elsewhere.trace(Self.traceID) }
            #expect(absent?.kind == .failed && absent?.message.contains("no resource /subscriptions/none") == true)
        }
    }

    @Test("Azure with useAzureActiveDirectoryAuth: a token from a client secret or from the managed identity endpoint")
    func azureActiveDirectory() async throws {
        let router = Router()
        let resource = "/subscriptions/s/components/p"
        router.post("v1/subscriptions/s/components/p/query") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer entra-token" else { return Response(status: .forbidden) }
            return Self.json(#"{"tables":[{"name":"PrimaryResult","columns":[],"rows":[]}]}"#)
        }
        router.post("tenant-1/oauth2/v2.0/token") { request, _ -> Response in
            let form = String(buffer: try await request.body.collect(upTo: 1 << 16))
            guard form.contains("client_id=app-1"), form.contains("client_secret=s%26cret"),
                form.contains("grant_type=client_credentials"),
                form.contains("scope=https%3A%2F%2Fapi.loganalytics.io%2F.default")
            else { return Self.json(#"{"error":"invalid_client"}"#, status: .unauthorized) }
            return Self.json(#"{"token_type":"Bearer","expires_in":3599,"access_token":"entra-token"}"#)
        }
        router.get("msi/token") { request, _ -> Response in
            guard request.headers[HTTPField.Name("X-IDENTITY-HEADER")!] == "identity-secret",
                request.uri.queryParameters.get("resource") == "https://api.loganalytics.io"
            else { return Response(status: .badRequest) }
            return Self.json(#"{"access_token":"entra-token","expires_on":"1900000000","resource":"x"}"#)
        }
        try await withHTTPStandIn(router) { port in
            let base = "http://127.0.0.1:\(port)"
            func source(_ environment: [String: String]) throws -> any TraceSource {
                var settings = AzureAppInsightsSettings(
                    connectionType: "direct", resourceArmId: resource, url: base)
                settings.useAzureActiveDirectoryAuth = true
                return try #require(
                    try TraceSources(environment: environment).source(
                        for: DataStore(name: "A", type: "azureappinsights", azureappinsights: settings)))
            }
            let secret = [
                "AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "app-1", "AZURE_CLIENT_SECRET": "s&cret",
                "AZURE_AUTHORITY_HOST": base,
            ]
            let fromSecret = try source(secret)
            #expect(await ConnectionTest.run(fromSecret).allPassed)
            let identity = ["IDENTITY_ENDPOINT": base + "/msi/token", "IDENTITY_HEADER": "identity-secret"]
            let fromIdentity = try source(identity)
            #expect(await ConnectionTest.run(fromIdentity).allPassed)
            var wrong = secret
            wrong["AZURE_CLIENT_ID"] = "app-2"
            let refused = await #expect(throws: TraceSourceError.self) { try await source(wrong).trace(Self.traceID) }
            #expect(refused?.kind == .authentication, "\(String(describing: refused))")
            let none = await #expect(throws: TraceSourceError.self) { try await source([:]).trace(Self.traceID) }
            #expect(none?.kind == .authentication)
            #expect(none?.message.contains("set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET") == true)
        }
    }

    @Test(
        "AWS X-Ray (moto's emulator, signatures checked): segments and subsegments as spans; a wrong key fails authentication"
    )
    func xray() async throws {
        try await Self.withMoto { directory, port, keyID, secret in
            let base = "http://127.0.0.1:\(port)"
            let epoch = UInt32(Date().timeIntervalSince1970)
            let traceID = TraceID.xray(epochSeconds: epoch)
            let xrayID = AWSXRaySource.xrayID(traceID)
            let start = Double(epoch)
            let segment = """
                {"id":"\(Self.root.hex)","trace_id":"\(xrayID)","name":"pokeshop","start_time":\(start),\
                "end_time":\(start + 0.25),"http":{"request":{"method":"GET","url":"http://pokeshop/pokemon/1"},\
                "response":{"status":200}},"annotations":{"team":"pokedex"},"metadata":{"debug":{"cache":"miss"}},\
                "subsegments":[{"id":"\(Self.child.hex)","name":"SELECT pokemon","namespace":"remote",\
                "start_time":\(start + 0.1),"end_time":\(start + 0.2),\
                "sql":{"database_type":"PostgreSQL","sanitized_query":"SELECT * FROM pokemon"}}]}
                """
            try await Self.putSegment(segment, port: port, keyID: keyID, secret: secret)

            func source(secret: String) throws -> any TraceSource {
                try #require(
                    try TraceSources().source(
                        for: DataStore(
                            name: "X", type: "awsxray",
                            awsxray: AWSXRaySettings(
                                region: "us-east-1", accessKeyId: keyID, secretAccessKey: secret, url: base))))
            }
            let spans = try await source(secret: secret).trace(traceID)
            let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
            let root = try #require(byName["pokeshop"])
            #expect(root.kind == .server)
            #expect(root.attributes["http.method"] == "GET")
            #expect(root.attributes["http.status_code"] == "200")
            #expect(root.attributes["team"] == "pokedex")
            #expect(root.attributes["aws.xray.metadata.debug"] == #"{"cache":"miss"}"#)
            #expect(root.endTimeUnixNano - root.startTimeUnixNano == 250_000_000)
            let select = try #require(byName["SELECT pokemon"])
            #expect(select.parentID == Self.root)
            #expect(select.kind == .client)
            #expect(select.attributes["db.statement"] == "SELECT * FROM pokemon")
            #expect(select.attributes["tracetest.span.type"] == "database")
            #expect(spans.allSatisfy { $0.attributes["service.name"] == "pokeshop" })

            let missing = await #expect(throws: TraceSourceError.self) {
                try await source(secret: secret).trace(.xray(epochSeconds: epoch))
            }
            #expect(missing?.kind == .notFound)
            #expect(await ConnectionTest.run(try source(secret: secret)).fetchTraces?.status == .passed)
            let refused = await ConnectionTest.run(try source(secret: "wrong"))
            #expect(refused.authentication?.status == .failed, "\(refused)")

            // useDefaultAuth: the AWS default chain, each link on its own.
            func defaultSource(_ environment: [String: String]) throws -> any TraceSource {
                var settings = AWSXRaySettings(region: "us-east-1", url: base)
                settings.useDefaultAuth = true
                return try #require(
                    try TraceSources(environment: environment).source(
                        for: DataStore(name: "X", type: "awsxray", awsxray: settings)))
            }
            let closed = "http://127.0.0.1:\(try unusedPort())"
            let isolated = ["HOME": directory, "AWS_EC2_METADATA_SERVICE_ENDPOINT": closed]
            let shared = "\(directory)/aws-credentials"
            try """
            [default]
            aws_access_key_id = AKIAWRONG
            aws_secret_access_key = wrong

            [team]
            aws_access_key_id = \(keyID)
            aws_secret_access_key = \(secret)
            """.write(toFile: shared, atomically: true, encoding: .utf8)
            let fromFile = isolated.merging(["AWS_SHARED_CREDENTIALS_FILE": shared, "AWS_PROFILE": "team"]) { $1 }
            #expect(try await defaultSource(fromFile).trace(traceID).count == 2)
            let fromVariables = isolated.merging(["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret]) {
                $1
            }
            #expect(try await defaultSource(fromVariables).trace(traceID).count == 2)

            let metadata = Router()
            metadata.get("container") { request, _ -> Response in
                guard request.headers[.authorization] == "container-token" else {
                    return Response(status: .forbidden)
                }
                return Self.json(#"{"AccessKeyId":"\#(keyID)","SecretAccessKey":"\#(secret)"}"#)
            }
            metadata.put("latest/api/token") { request, _ -> Response in
                Response(
                    status: .ok,
                    body: .init(byteBuffer: ByteBuffer(string: "imds-token")))
            }
            metadata.get("latest/meta-data/iam/security-credentials") { request, _ -> Response in
                guard request.headers[HTTPField.Name("X-aws-ec2-metadata-token")!] == "imds-token" else {
                    return Response(status: .unauthorized)
                }
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "tracetest-role")))
            }
            metadata.get("latest/meta-data/iam/security-credentials/tracetest-role") { request, _ -> Response in
                guard request.headers[HTTPField.Name("X-aws-ec2-metadata-token")!] == "imds-token" else {
                    return Response(status: .unauthorized)
                }
                return Self.json(#"{"Code":"Success","AccessKeyId":"\#(keyID)","SecretAccessKey":"\#(secret)"}"#)
            }
            try await withHTTPStandIn(metadata) { metadataPort in
                let endpoint = "http://127.0.0.1:\(metadataPort)"
                let container = isolated.merging([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint + "/container",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token",
                ]) { $1 }
                let fromContainer = try await defaultSource(container).trace(traceID)
                #expect(fromContainer.count == 2)
                let instance = ["HOME": directory, "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint]
                let fromInstance = try await defaultSource(instance).trace(traceID)
                #expect(fromInstance.count == 2)
            }
            let nothing = await #expect(throws: TraceSourceError.self) {
                try await defaultSource(isolated).trace(traceID)
            }
            #expect(nothing?.kind == .authentication)
            #expect(nothing?.message.contains("useDefaultAuth found no AWS credentials") == true)
        }
    }
}
