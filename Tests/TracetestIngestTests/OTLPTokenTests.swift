import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

@Suite("OTLP receiver: token")
struct OTLPTokenTests {
    @Test(
        "with otlpServer.auth.token, both receivers refuse a request without the token or with a wrong one",
        arguments: ["grpc", "http-protobuf", "http-json"])
    func token(transport: String) async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.otlpServer.authToken = "s3cret"
            try await withRunningServer(configuration) { api in
                let traceID = TraceID.random()
                let body = try encoded(paddedRequest(traceID, padding: 10), for: transport)
                for (authorization, reason) in [(nil, "no token was sent"), ("Bearer wrong", "the token is wrong")] {
                    let answer = try await sendBytes(api, transport, body, authorization: authorization)
                    if transport == "grpc" {
                        #expect(answer["status"] as? String == "UNAUTHENTICATED", "\(answer)")
                    } else {
                        #expect(answer["status"] as? Int == 401, "\(answer)")
                        #expect(answer["code"] as? Int == 16, "google.rpc.Status UNAUTHENTICATED: \(answer)")
                    }
                    let message = answer["message"] as? String ?? ""
                    #expect(message.contains(reason) && message.contains("otlpServer.auth.token"), "\(message)")
                }
                #expect(await api.spans?.currentStatistics().spanCount == 0, "nothing was received")
                let accepted = try await sendBytes(api, transport, body, authorization: "Bearer s3cret")
                #expect(succeeded(accepted), "\(accepted)")
                #expect(await api.spans?.currentStatistics().spanCount == 1)
            }
        }
    }
}

extension OTLPTokenTests {
    @Test("the server's own telemetry reaches its receiver that requires a token, with OTEL_EXPORTER_OTLP_HEADERS")
    func ownTelemetry() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            try await withTemporaryDirectory { directory in
                let (grpc, http) = (try unusedPort(), try unusedPort())
                var yaml = configurationYAML(configuration, otlpPorts: (grpc, http))
                yaml = yaml.replacingOccurrences(
                    of: "\notlpServer:\n",
                    with: "\n  telemetry:\n    exporter: self\notlpServer:\n  auth:\n    token: s3cret\n")
                yaml += """
                    telemetry:
                      exporters:
                        self:
                          sampling: 100
                          exporter:
                            type: collector
                            collector:
                              endpoint: 127.0.0.1:\(grpc)

                    """
                try yaml.write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                for (headers, received) in [(nil, false), ("authorization=Bearer s3cret", true)] {
                    let server = try ServerProcess(
                        ["serve"], in: directory,
                        environment: headers.map { ["OTEL_EXPORTER_OTLP_HEADERS": $0] } ?? [:])
                    let api = TestAPI(port: try await server.waitUntilListening())
                    var count = 0
                    for _ in 0..<40 where count == 0 {
                        _ = try await api.get("/api/tests")
                        try await Task.sleep(for: .milliseconds(250))
                        let statistics = try await api.get("/api/config/connection/otlp").object()
                        count = statistics["spanCount"] as? Int ?? 0
                    }
                    #expect((count > 0) == received, "\(headers ?? "no headers"): \(count) spans\n\(server.log)")
                    server.signal(SIGTERM)
                    _ = try await server.waitForExit()
                }
            }
        }
    }
}
