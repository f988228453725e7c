import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestKafka

/// GraphQL, gRPC and Kafka triggers against real services on loopback (Tests/Demo), each instrumented with the
/// OpenTelemetry SDK and continuing the propagated trace.
@Suite("Triggers: GraphQL, gRPC and Kafka")
struct TriggerTypesTests {
    /// A server on `backend` and the service `script` exporting its spans to it; `body` gets the service's port.
    func withService(
        _ backend: TestBackend, _ script: String, _ arguments: [String] = [],
        _ body: (TestAPI, Int) async throws -> Void
    ) async throws {
        try await withTestServer(backend) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withService(script, ["--otlp", "127.0.0.1:\(otlp)"] + arguments) { port in
                try await body(api, port)
            }
        }
    }

    static func test(id: String, trigger: String, specs: String) -> String {
        #"{"type":"Test","spec":{"id":"\#(id)","name":"\#(id)","trigger":\#(trigger),"specs":\#(specs)}}"#
    }

    /// The run's `triggerResult.triggerResult`.
    static func triggerResult(_ run: [String: Any]) throws -> [String: Any] {
        try #require((run["triggerResult"] as? [String: Any])?["triggerResult"] as? [String: Any])
    }

    @Test(
        "GraphQL: a query POSTed as JSON, the service's spans under the trigger, the response on the root span",
        arguments: TestBackend.allCases)
    func graphql(backend: TestBackend) async throws {
        try await withService(backend, "graphql_app.py") { api, port in
            let trigger = """
                {"type":"graphql","graphql":{"url":"http://127.0.0.1:\(port)/graphql",\
                "headers":[{"key":"X-Team","value":"${var:TEAM}"}],\
                "body":{"query":"query Pokemon($id: Int!) { pokemon(id: $id) { id name } }",\
                "variables":{"id":1},"operationName":"Pokemon"}}}
                """
            let specs = """
                [{"selector":"span[name=\\"POST /graphql\\"]","assertions":[\
                "attr:graphql.operation.name = \\"Pokemon\\"","attr:http.response.status_code = 200"]},\
                {"selector":"span[name=\\"POST /graphql\\"] span[db.system=\\"sqlite\\"]",\
                "assertions":["attr:tracetest.selected_spans.count = 1"]},\
                {"selector":"span[name=\\"Tracetest trigger\\"]","assertions":[\
                "attr:tracetest.response.status = 200",\
                "attr:tracetest.response.body | json_path '$.data.pokemon.name' = \\"pikachu\\""]}]
                """
            let id = try await api.create("/api/tests", Self.test(id: "graphql", trigger: trigger, specs: specs))
            let run = try await api.runToEnd(
                id, #"{"variables":[{"key":"TEAM","value":"pokedex"}]}"#)
            #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
            #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")
            let graphql = try #require(try Self.triggerResult(run)["graphql"] as? [String: Any])
            #expect(graphql["statusCode"] as? Int == 200)
            let headers = (graphql["headers"] as? [[String: Any]]) ?? []
            let received = headers.first { ($0["key"] as? String)?.lowercased() == "x-received-headers" }?["value"]
            let names = (received as? String ?? "").split(separator: ",").map(String.init)
            #expect(names.contains("x-team") && names.contains("traceparent") && names.contains("content-type"))

            // An error in the answer is a result, for the specs.
            let failing = """
                {"type":"graphql","graphql":{"url":"http://127.0.0.1:\(port)/graphql","body":{"query":"{ fail }"}}}
                """
            let errorSpecs = """
                [{"selector":"span[name=\\"Tracetest trigger\\"]","assertions":[\
                "attr:tracetest.response.body | json_path '$.errors[0].message' = \\"this field always fails\\""]}]
                """
            let failingID = try await api.create(
                "/api/tests", Self.test(id: "graphql-errors", trigger: failing, specs: errorSpecs))
            let failed = try await api.runToEnd(failingID)
            #expect(failed["state"] as? String == "FINISHED", "\(failed["lastErrorState"] ?? "")")
            #expect((failed["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(failed["result"] ?? "")")
        }
    }

    /// Tests/Demo/pokeshop.proto, as a JSON string value.
    static func protoJSON() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Demo/pokeshop.proto")
        let text = try String(contentsOf: url, encoding: .utf8)
        let data = try JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    @Test(
        "gRPC: the call made from the .proto text, the service's spans under the trigger, status, metadata and body",
        arguments: TestBackend.allCases)
    func grpc(backend: TestBackend) async throws {
        try await withService(backend, "grpc_app.py") { api, port in
            let trigger = """
                {"type":"grpc","grpc":{"protobufFile":\(try Self.protoJSON()),"address":"127.0.0.1:\(port)",\
                "method":"pokeshop.Pokeshop.describePokemon",\
                "request":"{\\"name\\": \\"${var:NAME}\\", \\"rarity\\": \\"RARE\\", \\"labels\\": {\\"team\\": \\"red\\"}, \\"asOf\\": \\"2024-05-01T12:00:00Z\\"}",\
                "metadata":[{"key":"x-user","value":"ash"}],"auth":{"type":"bearer","bearer":{"token":"t0ken"}}}}
                """
            let specs = """
                [{"selector":"span[name=\\"pokeshop.Pokeshop/describePokemon\\"]","assertions":[\
                "attr:rpc.grpc.status_code = 0"]},\
                {"selector":"span[name=\\"pokeshop.Pokeshop/describePokemon\\"] span[db.system=\\"sqlite\\"]",\
                "assertions":["attr:tracetest.selected_spans.count = 1"]},\
                {"selector":"span[name=\\"Tracetest trigger\\"]","assertions":[\
                "attr:tracetest.response.status = 0",\
                "attr:tracetest.response.body | json_path '$.pokemon.name' = \\"pikachu\\"",\
                "attr:tracetest.response.body | json_path '$.rarity' = \\"RARE\\"",\
                "attr:tracetest.response.body | json_path '$.selectedBy' = \\"name\\""]}]
                """
            let id = try await api.create("/api/tests", Self.test(id: "grpc", trigger: trigger, specs: specs))
            let run = try await api.runToEnd(id, #"{"variables":[{"key":"NAME","value":"pikachu"}]}"#)
            #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
            #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")
            let grpc = try #require(try Self.triggerResult(run)["grpc"] as? [String: Any])
            #expect(grpc["statusCode"] as? Int == 0)
            let body = try #require(grpc["body"] as? String)
            #expect(body.contains(#""labels": {"#) && body.contains(#""asOf": "2024-05-01T12:00:00Z""#), "\(body)")
            let metadata = (grpc["metadata"] as? [[String: Any]]) ?? []
            let received = metadata.first { $0["key"] as? String == "x-received-metadata" }?["value"] as? String ?? ""
            #expect(received.contains("\"x-user\"") && received.contains("\"traceparent\""), "\(metadata)")
            #expect(received.contains("\"authorization\""), "auth is sent as metadata: \(metadata)")

            // A non-OK status is a result for the specs, not a trigger failure.
            let failing = """
                {"type":"grpc","grpc":{"protobufFile":\(try Self.protoJSON()),"address":"127.0.0.1:\(port)",\
                "method":"pokeshop.Pokeshop/fail","request":"{}"}}
                """
            let failSpecs = """
                [{"selector":"span[name=\\"Tracetest trigger\\"]","assertions":["attr:tracetest.response.status = 5"]}]
                """
            let failingID = try await api.create(
                "/api/tests", Self.test(id: "grpc-fail", trigger: failing, specs: failSpecs))
            let failed = try await api.runToEnd(failingID)
            #expect(failed["state"] as? String == "FINISHED", "\(failed["lastErrorState"] ?? "")")
            #expect((failed["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(failed["result"] ?? "")")
        }
    }

    @Test("gRPC: without protobufFile the method is found by server reflection")
    func grpcReflection() async throws {
        try await withService(.sqlite, "grpc_app.py", ["--reflection"]) { api, port in
            let trigger = """
                {"type":"grpc","grpc":{"address":"127.0.0.1:\(port)","method":"pokeshop.Pokeshop.getPokemon",\
                "request":"{\\"id\\": 1}"}}
                """
            let specs = """
                [{"selector":"span[name=\\"Tracetest trigger\\"]","assertions":[\
                "attr:tracetest.response.body | json_path '$.name' = \\"pikachu\\""]}]
                """
            let id = try await api.create("/api/tests", Self.test(id: "reflected", trigger: trigger, specs: specs))
            let run = try await api.runToEnd(id)
            #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
            #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")

            // A method the service does not have: the run says which it has.
            let wrong = """
                {"type":"grpc","grpc":{"address":"127.0.0.1:\(port)","method":"pokeshop.Pokeshop.catch"}}
                """
            let wrongID = try await api.create("/api/tests", Self.test(id: "wrong", trigger: wrong, specs: "[]"))
            let wrongRun = try await api.runToEnd(wrongID)
            #expect(wrongRun["state"] as? String == "TRIGGER_FAILED")
            let reason = wrongRun["lastErrorState"] as? String ?? ""
            #expect(
                reason.contains("catch") && reason.contains("getPokemon") && reason.contains("importPokemon"),
                "\(reason)")
        }
    }

    @Test("gRPC: a proto that does not parse, a request that does not fit, a closed port: each says what is wrong")
    func grpcBadInput() async throws {
        try await withService(.sqlite, "grpc_app.py") { api, port in
            func reason(_ id: String, _ grpc: String) async throws -> String {
                let testID = try await api.create(
                    "/api/tests", Self.test(id: id, trigger: #"{"type":"grpc","grpc":\#(grpc)}"#, specs: "[]"))
                let run = try await api.runToEnd(testID)
                #expect(run["state"] as? String == "TRIGGER_FAILED", "\(id)")
                return run["lastErrorState"] as? String ?? ""
            }
            let broken = try await reason(
                "broken",
                #"{"protobufFile":"syntax = \"proto3\";\nmessage A { int32 a = 1 }","address":"127.0.0.1:\#(port)","method":"x.S.m"}"#
            )
            #expect(broken.hasPrefix("the protobufFile cannot be read: request.proto:2:"), "\(broken)")
            let misfit = try await reason(
                "misfit",
                #"{"protobufFile":\#(try Self.protoJSON()),"address":"127.0.0.1:\#(port)","#
                    + #""method":"pokeshop.Pokeshop.getPokemon","request":"{\"id\": \"one\"}"}"#)
            #expect(misfit.contains("id") && misfit.contains("\"one\""), "\(misfit)")
            try await withClosedPort { closed in
                let down = try await reason(
                    "down",
                    #"{"protobufFile":\#(try Self.protoJSON()),"address":"127.0.0.1:\#(closed)","#
                        + #""method":"pokeshop.Pokeshop.getPokemon","request":"{}"}"#)
                #expect(
                    down
                        == "could not connect to 127.0.0.1:\(closed): connection refused: is the application running and "
                        + "listening there?", "\(down)")
            }
        }
    }

    @Test(
        "Kafka: one message to a real Kafka-protocol broker, the consumer's spans under the trigger, where it was stored",
        arguments: TestBackend.allCases)
    func kafka(backend: TestBackend) async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        defer { cluster.close() }
        try cluster.createTopic("pokemon-imports", partitions: 1)
        let brokers = cluster.bootstrapServers
        try await withService(
            backend, "kafka_consumer.py", ["--brokers", brokers, "--topic", "pokemon-imports", "--group", "importers"]
        ) { api, _ in
            let trigger = """
                {"type":"kafka","kafka":{"brokerUrls":["${var:BROKER}"],"topic":"pokemon-imports",\
                "headers":[{"key":"x-team","value":"pokedex"}],"messageKey":"pokemon-${var:ID}",\
                "messageValue":"{\\"name\\": \\"pikachu\\"}"}}
                """
            let specs = """
                [{"selector":"span[name=\\"pokemon-imports process\\"]","assertions":[\
                "attr:messaging.kafka.message.key = \\"pokemon-25\\"","attr:messaging.system = \\"kafka\\""]},\
                {"selector":"span[name=\\"pokemon-imports process\\"] span[db.system=\\"sqlite\\"]",\
                "assertions":["attr:tracetest.selected_spans.count = 1"]}]
                """
            let id = try await api.create("/api/tests", Self.test(id: "kafka", trigger: trigger, specs: specs))
            let run = try await api.runToEnd(
                id, #"{"variables":[{"key":"BROKER","value":"\#(brokers)"},{"key":"ID","value":"25"}]}"#)
            #expect(run["state"] as? String == "FINISHED", "\(run["lastErrorState"] ?? "")")
            #expect((run["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(run["result"] ?? "")")
            let kafka = try #require(try Self.triggerResult(run)["kafka"] as? [String: Any])
            #expect(kafka["partition"] as? String == "0")
            #expect(kafka["offset"] as? String == "0")
        }
    }

    @Test("Kafka: a broker that does not answer fails the trigger within its time, naming the broker")
    func kafkaUnreachable() async throws {
        try await withTestServer(.sqlite) { api in
            try await withClosedPort { closed in
                let trigger = """
                    {"type":"kafka","kafka":{"brokerUrls":["127.0.0.1:\(closed)"],"topic":"t","messageValue":"v"}}
                    """
                let id = try await api.create("/api/tests", Self.test(id: "kafka-down", trigger: trigger, specs: "[]"))
                let run = try await api.runToEnd(id)
                #expect(run["state"] as? String == "TRIGGER_FAILED")
                let reason = run["lastErrorState"] as? String ?? ""
                #expect(
                    reason.hasPrefix("could not deliver to topic t on brokers 127.0.0.1:\(closed) within 30s: "),
                    "\(reason)")
                #expect(reason.contains("Connection refused"), "\(reason)")
            }
        }
    }

    @Test("GraphQL: an endpoint that answers HTML, and a closed port, fail the trigger saying why")
    func graphqlNotAnEndpoint() async throws {
        try await withService(.sqlite, "graphql_app.py") { api, port in
            let html =
                #"{"type":"graphql","graphql":{"url":"http://127.0.0.1:\#(port)/html","body":{"query":"{ a }"}}}"#
            let id = try await api.create("/api/tests", Self.test(id: "html", trigger: html, specs: "[]"))
            let run = try await api.runToEnd(id)
            #expect(run["state"] as? String == "TRIGGER_FAILED")
            let reason = run["lastErrorState"] as? String ?? ""
            #expect(
                reason.hasPrefix("http://127.0.0.1:\(port)/html answered 200 OK with text/html")
                    && reason.hasSuffix(", not JSON: check that it is the GraphQL endpoint (often /graphql)"),
                "\(reason)")

            try await withClosedPort { closed in
                let down =
                    #"{"type":"graphql","graphql":{"url":"http://127.0.0.1:\#(closed)/graphql","body":{"query":"{ a }"}}}"#
                let downID = try await api.create("/api/tests", Self.test(id: "down", trigger: down, specs: "[]"))
                let downRun = try await api.runToEnd(downID)
                #expect(downRun["state"] as? String == "TRIGGER_FAILED")
                #expect(
                    downRun["lastErrorState"] as? String
                        == "could not connect to http://127.0.0.1:\(closed)/graphql: connection refused: is the "
                        + "application running and listening there?")
            }
        }
    }
}
