import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

/// Inputs a probe of the server found it mishandled (issue 15), each sent as the probe sent it.
@Suite("Hostile input")
struct HostileInputTests {
    static func httpTest(id: String, method: String = "GET", url: String) -> String {
        let encoded = String(
            decoding: try! JSONSerialization.data(withJSONObject: ["method": method, "url": url]), as: UTF8.self)
        return #"{"type":"Test","spec":{"id":"\#(id)","name":"t","trigger":{"type":"http","httpRequest":\#(encoded)}}}"#
    }

    @Test("paging numbers near Int.max are read as the largest page, not an overflow that stops the server")
    func hugePagingNumbers() async throws {
        try await withTestServer(.sqlite) { api in
            try await api.create("/api/tests", Self.httpTest(id: "one", url: "http://127.0.0.1:1/"))
            for query in ["skip=9223372036854775807", "take=9223372036854775807&skip=1", "take=9223372036854775807"] {
                let resources = try await api.get("/api/resources?\(query)")
                #expect(resources.status == 200, "\(query): \(resources)")
                #expect(try await api.get("/api/tests?\(query)").status == 200, "\(query)")
            }
            #expect(try await api.get("/api/resources?take=9223372036854775807").json() as? [Any] != nil)
            #expect(try await api.get("/health").status == 200, "still answering")
        }
    }

    @Test("a trigger method with CR/LF, or a URL that is not http or https, is refused when the test is saved")
    func triggerRequestLine() async throws {
        try await withTestServer(.sqlite) { api in
            let splitting = try await api.post(
                "/api/tests",
                Self.httpTest(id: "split", method: "GET /x HTTP/1.1\r\nX-Injected: yes\r\n\r\nGET", url: "http://a/"))
            #expect(splitting.status == 400)
            #expect(splitting.body.contains("trigger.httpRequest: method"), "\(splitting)")
            for url in [
                "unix:///var/run/docker.sock", "http+unix://%2Fvar%2Frun%2Fdocker.sock/info", "file:///etc/passwd",
            ] {
                let refused = try await api.post("/api/tests", Self.httpTest(id: "socket", url: url))
                #expect(refused.status == 400, "\(url): \(refused)")
                #expect(refused.body.contains("is not an http or https URL"), "\(url): \(refused)")
            }
            #expect(try await api.get("/api/tests/split").status == 404, "nothing was saved")
        }
    }

    @Test("a method or URL that resolves to something unsendable fails the run without sending it")
    func resolvedTriggerRequestLine() async throws {
        try await withTestServer(.sqlite) { api in
            try await api.create("/api/tests", Self.httpTest(id: "late", method: "${var:METHOD}", url: "${var:URL}"))
            let run = try await api.runToEnd(
                "late",
                #"{"variables":[{"key":"METHOD","value":"GET\r\nX: y"},{"key":"URL","value":"http://127.0.0.1:1/"}]}"#)
            #expect(run["state"] as? String == "TRIGGER_FAILED")
            #expect(
                (run["lastErrorState"] as? String)?.contains("the request cannot be sent: trigger.httpRequest: method")
                    == true)
            let socket = try await api.runToEnd(
                "late", #"{"variables":[{"key":"METHOD","value":"GET"},{"key":"URL","value":"unix:///tmp/x.sock"}]}"#)
            #expect(socket["state"] as? String == "TRIGGER_FAILED")
            #expect((socket["lastErrorState"] as? String)?.contains("is not an http or https URL") == true)
        }
    }

    @Test("a cross-site browser request cannot change anything; the CLI and same-site pages can")
    func crossSiteRequests() async throws {
        try await withTestServer(.sqlite) { api in
            let body = Self.httpTest(id: "csrf", url: "http://127.0.0.1:1/")
            let forged = try await api.post(
                "/api/tests", body, headers: ["Content-Type": "text/plain", "Origin": "http://evil.example"])
            #expect(forged.status == 403)
            #expect(forged.body.contains("cross-site request refused"), "\(forged)")
            let fetched = try await api.post("/api/tests", body, headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(fetched.status == 403)
            #expect(try await api.get("/api/tests/csrf").status == 404, "nothing was created")
            // Reading is not refused; the server's own pages and clients without an Origin may change things.
            #expect(try await api.get("/api/tests", headers: ["Origin": "http://evil.example"]).status == 200)
            let sameSite = try await api.post(
                "/api/tests", body,
                headers: ["Origin": "http://127.0.0.1:\(api.port)", "Sec-Fetch-Site": "same-origin"])
            #expect(sameSite.status == 201, "\(sameSite)")
        }
    }

    @Test("a NUL character in stored text is a 400 naming the field, on both backends", arguments: TestBackend.allCases)
    func nulCharacters(backend: TestBackend) async throws {
        try await withTestServer(backend) { api in
            let named = try await api.post(
                "/api/tests", #"{"type":"Test","spec":{"id":"nul","name":"a\u0000b","trigger":{"type":"http"}}}"#)
            #expect(named.status == 400, "\(named)")
            #expect(named.body.contains("spec.name: contains a NUL character"), "\(named)")
            #expect(!named.body.contains("SELECT") && !named.body.contains("INSERT"))
            let id = try await api.post("/api/tests", #"{"type":"Test","spec":{"id":"n\u0000l","name":"x"}}"#)
            #expect(id.status == 400)
            #expect(id.body.contains("spec.id: contains a NUL character"), "\(id)")
            #expect(try await api.get("/api/tests/nul").status == 404)
            // In the URL too (schemathesis found a 500 on PostgreSQL with `query=%00`).
            for path in ["/api/resources?skip=1&query=%00%16%40", "/api/tests/a%00b", "/api/tests?query=x%00"] {
                let answer = try await api.get(path)
                #expect(answer.status == 400 && answer.body.contains("NUL character"), "\(path): \(answer)")
            }
        }
    }

    @Test("20 runs at once against a host that answers in 1.5 s: none fails for want of a connection")
    func concurrentTriggersToOneHost() async throws {
        try await withTestServer(.sqlite) { api in
            try await Python.withDemoApp(otlpPort: 1) { port in
                try await api.create(
                    "/api/tests",
                    #"{"type":"Test","spec":{"id":"slow","name":"slow","skipTraceCollection":true,"trigger":{"type":"http","httpRequest":{"method":"GET","url":"http://127.0.0.1:\#(port)/slow?ms=1500"}}}}"#
                )
                let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<20 { group.addTask { try runID(of: try await api.startRun("slow")) } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                for id in ids {
                    let run = try await api.waitForRun("slow", id)
                    #expect(run["state"] as? String == "FINISHED", "run \(id): \(run["lastErrorState"] ?? "")")
                }
            }
        }
    }

    @Test("the API port answers malformed HTTP with 400 or 431 and closes; a silent client is disconnected")
    func malformedHTTP() async throws {
        try await withTestServer(.sqlite) { api in
            let header = Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)
            let cases: [(String, [UInt8], Int)] = [
                ("garbage", Array("GARBAGE\r\n\r\n".utf8), 400),
                (
                    "100 KB request line",
                    Array("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\r\n".utf8), 431
                ),
                ("1 MiB header", header + Array("X-Big: \(String(repeating: "a", count: 1 << 20))\r\n\r\n".utf8), 431),
                ("10,000 headers", header + (0..<10_000).flatMap { Array("X-H\($0): v\r\n".utf8) } + [13, 10], 431),
            ]
            for (name, bytes, status) in cases {
                let exchange = try await rawExchange(port: api.port, bytes: bytes)
                #expect(exchange.status == status, "\(name): \(exchange.response.prefix(80))")
                #expect(exchange.closed, "\(name): connection left open")
            }
            let silent = try await rawExchange(port: api.port, bytes: header, waitSeconds: 15)
            #expect(silent.closed && silent.response.isEmpty, "a head never finished is dropped after 10 s")
            let health = Array("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
            #expect(try await rawExchange(port: api.port, bytes: health, waitSeconds: 10).status == 200)
        }
    }

    @Test("YAML aliases that expand a document beyond the limits, or that are mapping keys, are a 400 at once")
    func yamlAliasBombs() async throws {
        try await withTestServer(.sqlite) { api in
            let big = String(repeating: "x", count: 500_000)
            let aliases = Array(repeating: "*a", count: 2_000).joined(separator: ", ")
            var laughs = "type: Test\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            for level in 1...9 {
                laughs +=
                    "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
                    + "]\n"
            }
            let bombs = [
                "type: Test\nspec:\n  id: bomb\n  name: &a \"\(big)\"\n  description: [\(aliases)]\n",
                laughs + "spec: {id: laughs, name: *l9}\n",
                "type: Test\nspec:\n  id: key\n  name: &a {k: v}\n  labels: {*a : 1}\n",
                "type: Test\nspec:\n  id: complex\n  ? [a, b]\n  : c\n",
            ]
            for bomb in bombs {
                let answer = try await api.post("/api/tests", bomb, headers: yamlHeaders)
                #expect(answer.status == 400, "\(answer.body.prefix(300))")
                #expect(
                    answer.body.contains("alias") || answer.body.contains("mapping key"), "\(answer.body.prefix(300))")
            }
            let reuse = "type: Test\nspec:\n  id: reuse\n  name: &n reused\n  description: *n\n"
            #expect(try await api.post("/api/tests", reuse, headers: yamlHeaders).status == 201)
            let reused = try await api.get("/api/tests/reuse").object()["spec"] as? [String: Any]
            #expect(reused?["description"] as? String == "reused")
        }
    }

    @Test("JSON is read as JSON: surrogate-pair escapes, as json.dumps writes them, are the character they encode")
    func surrogatePairs() async throws {
        try await withTestServer(.sqlite) { api in
            let created = try await api.post(
                "/api/tests", #"{"type":"Test","spec":{"id":"emoji","name":"smile \ud83d\ude00"}}"#)
            #expect(created.status == 201, "\(created)")
            let emoji = try await api.get("/api/tests/emoji").object()["spec"] as? [String: Any]
            #expect(emoji?["name"] as? String == "smile 😀")
            let lone = try await api.post("/api/tests", #"{"type":"Test","spec":{"id":"lone","name":"\ud83d"}}"#)
            #expect(lone.status == 400 && lone.body.contains("surrogate"), "\(lone)")
            let head =
                "POST /api/tests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
            let latin1 = try await rawExchange(
                port: api.port, bytes: Array(head.utf8) + [0x7B, 0xE9, 0x7D], waitSeconds: 10)
            #expect(latin1.status == 400 && latin1.response.contains("not UTF-8"), "\(latin1.response)")
        }
    }

    @Test(
        "the WebSocket refuses a page of another site (400 to the upgrade) and upgrades the server's own pages and non-browser clients"
    )
    func crossSiteWebSocket() async throws {
        try await withTestServer(.sqlite) { api in
            func upgrade(origin: String?) async throws -> RawExchange {
                var head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\nUpgrade: websocket\r\n"
                head += "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                head += "Sec-WebSocket-Version: 13\r\n" + (origin.map { "Origin: \($0)\r\n" } ?? "") + "\r\n"
                return try await rawExchange(port: api.port, bytes: Array(head.utf8), waitSeconds: 2)
            }
            let evil = try await upgrade(origin: "http://evil.example")
            #expect(evil.status == 400 && evil.closed, "refused: \(evil.response)")
            let plain = try await api.get("/ws", headers: ["Origin": "http://evil.example"])
            #expect(plain.status == 403 && plain.body.contains("cross-site WebSocket refused"), "\(plain)")
            #expect(try await upgrade(origin: "http://127.0.0.1:\(api.port)").status == 101)
            #expect(try await upgrade(origin: nil).status == 101)
        }
    }

    @Test("data-store secrets are shown masked; saving what was read keeps them, a new value replaces them")
    func maskedSecrets() async throws {
        try await withTestServer(.sqlite) { api in
            let store =
                #"{"type":"DataStore","spec":{"name":"os","type":"opensearch","opensearch":{"addresses":["http://127.0.0.1:9200"],"username":"u","password":"s3cret","index":"traces"}}}"#
            let saved = try await api.put("/api/datastores/current", store)
            #expect(saved.status == 200 && !saved.body.contains("s3cret"), "\(saved)")
            let read = try await api.get("/api/datastores/current")
            #expect(!read.body.contains("s3cret") && read.body.contains(#""password":"********""#), "\(read)")
            #expect(try await api.put("/api/datastores/current", read.body).status == 200)
            #expect(try await api.store.dataStores.get().opensearch?.password == "s3cret", "kept")
            let changed = try await api.put(
                "/api/datastores/current", read.body.replacingOccurrences(of: "********", with: "n3w"))
            #expect(changed.status == 200)
            #expect(try await api.store.dataStores.get().opensearch?.password == "n3w", "replaced")
            let yaml = try await api.get("/api/datastores/current", headers: yamlHeaders)
            #expect(!yaml.body.contains("n3w"), "\(yaml.body)")
        }
    }

    @Test("a suite of 100,000 steps is created and read back, augmented too, while the server keeps answering")
    func hugeSuite() async throws {
        try await withTestServer(.sqlite) { api in
            try await api.create("/api/tests", Self.httpTest(id: "step", url: "http://127.0.0.1:1/"))
            let steps = Array(repeating: "\"step\"", count: 100_000).joined(separator: ",")
            let created = try await api.post(
                "/api/testsuites", #"{"type":"TestSuite","spec":{"id":"huge","name":"huge","steps":[\#(steps)]}}"#)
            #expect(created.status == 201)
            let read = try await api.get("/api/testsuites/huge").object()["spec"] as? [String: Any]
            #expect((read?["steps"] as? [String])?.count == 100_000)
            let augmented = try await api.get("/api/testsuites/huge", headers: augmentedHeaders).object()
            #expect(((augmented["spec"] as? [String: Any])?["fullSteps"] as? [Any])?.count == 100_000)
            #expect(try await api.get("/health").status == 200)
        }
    }

    @Test("catastrophic regular expressions answer at once, two at a time, and the server keeps answering")
    func catastrophicRegex() async throws {
        try await withTestServer(.sqlite) { api in
            let body = #"{"expression": "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | regex '(a+)+$'"}"#
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<2 { group.addTask { try await api.post("/api/expressions/resolve", body) } }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            for answer in answers {
                #expect(answer.status == 200, "\(answer)")
                #expect(try answer.object()["resolvedValues"] as? [String] == ["[]"], "no match: \(answer)")
            }
            let groups = try await api.post(
                "/api/expressions/resolve", #"{"expression": "'user-42 user-7' | regex_group 'user-(\\d+)'"}"#)
            #expect(try groups.object()["resolvedValues"] as? [String] == ["[42, 7]"], "\(groups)")
            let invalid = try await api.post("/api/expressions/resolve", #"{"expression": "'a' | regex '(a'"}"#)
            #expect(invalid.body.contains("missing closing )"), "\(invalid)")
            #expect(try await api.get("/health").status == 200)
        }
    }
}
