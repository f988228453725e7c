import ServerTestSupport
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
