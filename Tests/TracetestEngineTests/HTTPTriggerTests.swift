import Foundation
import TestSupport
import Testing
import TracetestModel

@testable import TracetestEngine

/// HTTP triggers against a real HTTP server on loopback (the demo app's `/echo`, which answers with the request it
/// got), so every option is checked as the system under test sees it.
@Suite("HTTP trigger")
struct HTTPTriggerTests {
    let traceID = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    let spanID = SpanID(hex: "00f067aa0ba902b7")!

    /// Fires `request` at the demo app (`path` appended to its URL) and returns the result and the echoed request.
    func fire(_ request: HTTPRequest) async throws -> (TriggerResult, [String: Any]) {
        let trigger = HTTPTrigger()
        // No collector listens there: the app's span export fails quietly, its HTTP answers do not.
        let result: TriggerResult
        do {
            result = try await Python.withDemoApp(otlpPort: try unusedPort()) { port in
                var request = request
                request.url = "http://127.0.0.1:\(port)" + request.url
                return await trigger.fire(
                    Trigger(type: "http", httpRequest: request), traceID: traceID, spanID: spanID)
            }
        } catch {
            await trigger.shutdown()
            throw error
        }
        await trigger.shutdown()
        let echoed = try #require(
            try JSONSerialization.jsonObject(with: Data((result.http?.body ?? "").utf8)) as? [String: Any],
            "\(result)")
        return (result, echoed)
    }

    func headers(_ echoed: [String: Any]) -> [String: String] {
        let pairs = echoed["headers"] as? [[String]] ?? []
        return Dictionary(pairs.map { ($0[0].lowercased(), $0[1]) }) { first, _ in first }
    }

    @Test("method, headers, body and the trace context reach the server; the response is recorded")
    func request() async throws {
        let (result, echoed) = try await fire(
            HTTPRequest(
                method: "PUT", url: "/echo?x=1", headers: [KeyValue(key: "X-Custom", value: "yes")],
                body: #"{"name":"pikachu"}"#))
        #expect(result.http?.statusCode == 200)
        #expect(result.http?.status == "200 OK")
        #expect(result.http?.headers.contains { $0.key.lowercased() == "content-type" } == true)
        #expect(echoed["method"] as? String == "PUT")
        #expect(echoed["target"] as? String == "/echo?x=1")
        #expect(echoed["body"] as? String == #"{"name":"pikachu"}"#)
        let received = headers(echoed)
        #expect(received["x-custom"] == "yes")
        #expect(received["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(received["tracestate"] == "tracetest=true")
        #expect(received["b3"] == "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")
        #expect(received["uber-trace-id"] != nil && received["x-amzn-trace-id"] != nil)
    }

    @Test("a Host header given by the user is sent as written")
    func hostHeader() async throws {
        let (_, echoed) = try await fire(
            HTTPRequest(method: "GET", url: "/echo", headers: [KeyValue(key: "Host", value: "pokeshop.example")]))
        #expect(headers(echoed)["host"] == "pokeshop.example")
    }

    @Test("a traceparent given by the user is replaced by the run's")
    func propagationWins() async throws {
        let (_, echoed) = try await fire(
            HTTPRequest(method: "GET", url: "/echo", headers: [KeyValue(key: "traceparent", value: "00-1-2-00")]))
        #expect(headers(echoed)["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    @Test("basic, bearer and API key authentication (header and query)")
    func authentication() async throws {
        let (_, basic) = try await fire(
            HTTPRequest(
                method: "GET", url: "/echo",
                auth: Authentication(type: "basic", basic: .init(username: "ash", password: "pika"))))
        #expect(headers(basic)["authorization"] == "Basic " + Data("ash:pika".utf8).base64EncodedString())
        let (_, bearer) = try await fire(
            HTTPRequest(
                method: "GET", url: "/echo", auth: Authentication(type: "bearer", bearer: .init(token: "Bearer t0k"))))
        #expect(headers(bearer)["authorization"] == "Bearer t0k")
        let (_, header) = try await fire(
            HTTPRequest(
                method: "GET", url: "/echo",
                auth: Authentication(type: "apiKey", apiKey: .init(key: "X-API-Key", value: "k1", in: "header"))))
        #expect(headers(header)["x-api-key"] == "k1")
        let (_, query) = try await fire(
            HTTPRequest(
                method: "GET", url: "/echo",
                auth: Authentication(type: "apiKey", apiKey: .init(key: "api_key", value: "k2", in: "query"))))
        #expect(query["target"] as? String == "/echo?api_key=k2")
    }

    @Test("redirects are followed")
    func redirect() async throws {
        let (result, echoed) = try await fire(HTTPRequest(method: "GET", url: "/redirect?to=/echo?from=redirect"))
        #expect(result.http?.statusCode == 200)
        #expect(echoed["target"] as? String == "/echo?from=redirect")
    }

    @Test("sslVerification: a self-signed certificate is accepted without it and refused with it")
    func sslVerification() async throws {
        try await withTemporaryDirectory { directory in
            let (certificate, key) = try await selfSignedCertificate(in: directory)

            let trigger = HTTPTrigger()
            try await Python.withDemoApp(otlpPort: try unusedPort(), tls: (certificate, key)) { port in
                func fire(verifying: Bool) async -> TriggerResult {
                    let request = HTTPRequest(
                        method: "GET", url: "https://127.0.0.1:\(port)/echo", sslVerification: verifying)
                    return await trigger.fire(
                        Trigger(type: "http", httpRequest: request), traceID: traceID, spanID: spanID)
                }
                let lenient = await fire(verifying: false)
                #expect(lenient.http?.statusCode == 200, "\(lenient)")
                let strict = await fire(verifying: true)
                #expect(strict.http == nil)
                #expect(strict.error?.message.contains("https://127.0.0.1:\(port)/echo") == true, "\(strict)")
            }
            await trigger.shutdown()
        }
    }

    @Test("an unreachable host is a connection error that names the URL")
    func unreachable() async throws {
        let trigger = HTTPTrigger()
        let port = try unusedPort()
        let result = await trigger.fire(
            Trigger(type: "http", httpRequest: HTTPRequest(method: "GET", url: "127.0.0.1:\(port)/x")),
            traceID: traceID,
            spanID: spanID)
        await trigger.shutdown()
        #expect(result.error?.connectionError == true)
        #expect(result.error?.targetsLocalhost == true)
        #expect(
            result.error?.message
                == "could not connect to http://127.0.0.1:\(port)/x: connection refused: is the application running "
                + "and listening there?")
    }
}
