import ServerTestSupport
import TestSupport
import Testing

/// `server.auth.token`: the API and the WebSocket require `Authorization: Bearer <token>`.
@Suite("API token")
struct AccessTokenTests {
    @Test(
        "with server.auth.token the API answers 401 without the token or with a wrong one; health, version and the UI stay open",
        arguments: ["", "/tracetest"])
    func apiToken(prefix: String) async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.server.authToken = "s3cret"
            configuration.server.pathPrefix = prefix
            try await withRunningServer(configuration) { api in
                let missing = try await api.get("\(prefix)/api/tests")
                #expect(missing.status == 401)
                #expect(missing.header("WWW-Authenticate") == "Bearer")
                let message = try missing.object()["error"] as? String ?? ""
                #expect(
                    message.contains("no API token was sent") && message.contains("server.auth.token"), "\(message)")
                let wrong = try await api.get("\(prefix)/api/tests", headers: ["Authorization": "Bearer s3cre"])
                #expect(wrong.status == 401)
                #expect((try wrong.object()["error"] as? String)?.contains("the API token is wrong") == true)
                #expect(try await api.post("\(prefix)/api/tests/x/run", "{}").status == 401, "writes too")
                for path in ["\(prefix)//api/tests", "\(prefix)/api//tests", "/.\(prefix)/./api/tests"] {
                    #expect(try await api.get(path).status == 401, "\(path)")
                }
                let right = try await api.get("\(prefix)/api/tests", headers: ["Authorization": "Bearer s3cret"])
                #expect(right.status == 200)
                #expect(
                    try await api.get("\(prefix)/api/tests", headers: ["Authorization": "bearer s3cret"]).status == 200)
                // Open: the health check, the version the CLI checks first, and the web UI's files.
                #expect(try await api.get("\(prefix)/health").status == 200)
                #expect(try await api.get("\(prefix)/api/version.json").status == 200)
                #expect(try await api.get("\(prefix)/").status == 200)
            }
        }
    }

    @Test("with server.auth.token the WebSocket is refused without the token, and serves with it (header or query)")
    func socketToken() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            var configuration = configuration
            configuration.server.authToken = "s3cret"
            try await withRunningServer(configuration) { api in
                // Without the token (or with a wrong one), the connection is closed at once saying why; a plain
                // request for the socket's path gets the API's 401.
                for path in ["/ws", "/ws?token=wrong"] {
                    var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\nUpgrade: websocket\r\n"
                    head += "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    head += "Sec-WebSocket-Version: 13\r\n\r\n"
                    let refused = try await rawExchange(port: api.port, bytes: Array(head.utf8), waitSeconds: 2)
                    #expect(refused.status == 101 && refused.closed, "\(refused.response)")
                    #expect(refused.response.contains("API token required (server.auth.token)"), "\(refused.response)")
                }
                #expect(try await api.get("/ws").status == 401)
                try await withSocket("ws://127.0.0.1:\(api.port)/ws?token=s3cret") { socket in
                    socket.send(#"{"type":"subscribe","resource":"test/t/run/1"}"#)
                    let answer = try await socket.next()
                    #expect(answer["type"] as? String == "success")
                }
                try await withSocket(
                    "ws://127.0.0.1:\(api.port)/ws", headers: ["Authorization": "Bearer s3cret"]
                ) { socket in
                    socket.send(#"{"type":"subscribe","resource":"test/t/run/1"}"#)
                    let answer = try await socket.next()
                    #expect(answer["type"] as? String == "success")
                }
            }
        }
    }
}
