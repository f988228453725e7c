import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestKafka

/// `tracetest run test -f` with a test file of each trigger type, against real services (Tests/Demo).
@Suite("CLI: trigger types from files")
struct TriggerFilesTests {
    /// A server, the service `script` exporting to it, and a configured directory.
    func withService(
        _ script: String, _ arguments: [String] = [], _ body: (String, Int) async throws -> Void
    ) async throws {
        try await withTestServer(.sqlite) { api in
            let otlp = try #require(api.otlpGRPCPort)
            try await Python.withService(script, ["--otlp", "127.0.0.1:\(otlp)"] + arguments) { port in
                try await withTemporaryDirectory { directory in
                    try writeConfig(port: api.port, in: directory)
                    try await body(directory, port)
                }
            }
        }
    }

    @Test("a GraphQL test file")
    func graphql() async throws {
        try await withService("graphql_app.py") { directory, port in
            try write(
                """
                type: Test
                spec:
                  name: Import a pokemon over GraphQL
                  trigger:
                    type: graphql
                    graphql:
                      url: http://127.0.0.1:\(port)/graphql
                      body:
                        query: 'mutation Import($name: String!) { importPokemon(name: $name) { id name } }'
                        variables: {name: snorlax}
                        operationName: Import
                  specs:
                    - name: The mutation is served
                      selector: span[name="POST /graphql" graphql.operation.type="mutation"]
                      assertions:
                        - attr:http.response.status_code = 200
                    - name: The answer names the pokemon
                      selector: span[name="Tracetest trigger"]
                      assertions:
                        - attr:tracetest.response.body | json_path '$.data.importPokemon.name' = "snorlax"
                """, to: "graphql.yaml", in: directory)
            let result = try await tracetest(["run", "test", "-f", "graphql.yaml"], in: directory)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.hasPrefix("✔ Import a pokemon over GraphQL (http://127.0.0.1:"), "\(result)")
            #expect(result.stdout.contains("/run/1/test) - trace id: "), "\(result)")
            #expect(result.stdout.contains("\t✔ The answer names the pokemon\n"), "\(result)")
        }
    }

    @Test("a gRPC test file whose protobufFile is a path beside it")
    func grpc() async throws {
        try await withService("grpc_app.py") { directory, port in
            let proto = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Demo/pokeshop.proto")
            try write(try String(contentsOf: proto, encoding: .utf8), to: "protos/pokeshop.proto", in: directory)
            try write(
                """
                type: Test
                spec:
                  name: Import a pokemon over gRPC
                  trigger:
                    type: grpc
                    grpc:
                      protobufFile: ./protos/pokeshop.proto
                      address: 127.0.0.1:\(port)
                      method: pokeshop.Pokeshop.importPokemon
                      request: '{"name": "snorlax"}'
                  specs:
                    - name: The call is served
                      selector: span[name="pokeshop.Pokeshop/importPokemon"]
                      assertions:
                        - attr:rpc.grpc.status_code = 0
                    - name: The answer names the pokemon
                      selector: span[name="Tracetest trigger"]
                      assertions:
                        - attr:tracetest.response.body | json_path '$.name' = "snorlax"
                """, to: "grpc.yaml", in: directory)
            let result = try await tracetest(["run", "test", "-f", "grpc.yaml"], in: directory)
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.stdout.hasPrefix("✔ Import a pokemon over gRPC (http://127.0.0.1:"), "\(result)")
            #expect(result.stdout.contains("/run/1/test) - trace id: "), "\(result)")
        }
    }

    @Test("a Kafka test file")
    func kafka() async throws {
        let cluster = try KafkaMockCluster(brokers: 1)
        defer { cluster.close() }
        try cluster.createTopic("imports", partitions: 1)
        try await withService(
            "kafka_consumer.py", ["--brokers", cluster.bootstrapServers, "--topic", "imports", "--group", "cli"]
        ) { directory, _ in
            try write(
                """
                type: Test
                spec:
                  name: Queue an import
                  trigger:
                    type: kafka
                    kafka:
                      brokerUrls: [\(cluster.bootstrapServers)]
                      topic: imports
                      messageKey: snorlax
                      messageValue: snorlax
                  specs:
                    - name: The worker takes it
                      selector: span[name="imports process"]
                      assertions:
                        - attr:messaging.kafka.message.key = "snorlax"
                """, to: "kafka.yaml", in: directory)
            let result = try await tracetest(["run", "test", "-f", "kafka.yaml", "-o", "json"], in: directory)
            #expect(result.exitCode == 0, "\(result)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(document?["state"] as? String == "FINISHED", "\(result)")
            #expect((document?["results"] as? [String: Any])?["allPassed"] as? Bool == true, "\(result)")
        }
    }
}
