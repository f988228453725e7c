import Testing
import TracetestAnalyzer
import TracetestModel

@Suite("span-naming")
struct SpanNamingTests {
    func naming(_ name: String, expected: String, type: String) -> SpanError {
        SpanError(
            value: "tracetest.span.name", expected: expected,
            description: "The name \"\(name)\" does not follow the naming convention of \(type) spans")
    }

    @Test("http: a client is named after its method, any other kind after method and route")
    func http() throws {
        let route = ["http.method": "GET", "http.route": "/pokemon/:id"]
        let rule = try lint(
            [
                span(1, "GET", kind: .client, type: "http", route),
                span(2, "GET /pokemon/:id", kind: .server, type: "http", route),
                span(3, "GET /pokemon/:id", kind: .internal, type: "http", route),
                span(4, "GET /pokemon/:id", kind: .client, type: "http", route),
                span(5, "/pokemon/25", kind: .server, type: "http", route),
                span(6, "", type: "http", ["http.method": "POST"]),
            ],
            rule: "span-naming"
        )
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule).isEmpty)
        #expect(try errors(of: 3, in: rule).isEmpty)
        #expect(try errors(of: 4, in: rule) == [naming("GET /pokemon/:id", expected: "GET", type: "http")])
        #expect(try errors(of: 5, in: rule) == [naming("/pokemon/25", expected: "GET /pokemon/:id", type: "http")])
        #expect(try errors(of: 6, in: rule) == [naming("", expected: "POST ", type: "http")])
        #expect(!rule.passed)
        #expect(rule.results.map(\.passed) == [true, true, true, false, false, false])
    }

    @Test("database: operation, database and table; without a table no trailing dot")
    func database() throws {
        let withTable = [
            "db.system": "postgresql", "db.operation": "SELECT", "db.name": "shop", "db.sql.table": "items",
        ]
        let withoutTable = ["db.system": "postgresql", "db.operation": "SELECT", "db.name": "shop"]
        let rule = try lint(
            [
                span(1, "SELECT shop.items", type: "database", withTable),
                span(2, "SELECT shop", type: "database", withoutTable),
                span(3, "SELECT shop.", type: "database", withoutTable),
                span(4, "query", type: "database", withTable),
                span(5, "", type: "database", ["db.statement": "INSERT INTO users"]),
            ],
            rule: "span-naming"
        )
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule).isEmpty)
        #expect(try errors(of: 3, in: rule) == [naming("SELECT shop.", expected: "SELECT shop", type: "database")])
        #expect(try errors(of: 4, in: rule) == [naming("query", expected: "SELECT shop.items", type: "database")])
        #expect(try errors(of: 5, in: rule) == [naming("", expected: " ", type: "database")])
    }

    @Test("redis: the name is how db.statement starts, ignoring case")
    func redis() throws {
        let rule = try lint(
            [
                span(1, "get", type: "database", ["db.system": "redis", "db.statement": "GET pokemon:25"]),
                span(2, "SET", type: "database", ["db.system": "redis", "db.statement": "GET pokemon:25"]),
                span(3, "GET", type: "database", ["db.system": "redis"]),
            ],
            rule: "span-naming"
        )
        let mismatch = { (name: String) in
            SpanError(
                value: "tracetest.span.name",
                description: "The name \"\(name)\" is not the command that db.statement starts with")
        }
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule) == [mismatch("SET")])
        #expect(try errors(of: 3, in: rule) == [mismatch("GET")])
    }

    @Test("rpc and messaging; other types always pass")
    func rpcAndMessaging() throws {
        let rpc = ["rpc.service": "pokeshop.Pokemon", "rpc.method": "Import"]
        let messaging = ["messaging.destination": "imports", "messaging.operation": "publish"]
        let rule = try lint(
            [
                span(1, "pokeshop.Pokemon/Import", type: "rpc", rpc),
                span(2, "Import", type: "rpc", rpc),
                span(3, "imports publish", type: "messaging", messaging),
                span(4, "publish imports", type: "messaging", messaging),
                span(5, "anything", type: "general"),
                span(6, "anything", type: "faas"),
                span(7, "anything"),
            ],
            rule: "span-naming"
        )
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule) == [naming("Import", expected: "pokeshop.Pokemon/Import", type: "rpc")])
        #expect(try errors(of: 3, in: rule).isEmpty)
        #expect(
            try errors(of: 4, in: rule) == [naming("publish imports", expected: "imports publish", type: "messaging")])
        #expect(rule.results.count == 7)
        #expect(rule.results.suffix(3).map(\.passed) == [true, true, true])
    }
}

@Suite("required-attributes")
struct RequiredAttributesTests {
    func missing(_ key: String, _ type: String) -> SpanError {
        SpanError(value: key, description: "Spans of type \"\(type)\" need the attribute \"\(key)\"")
    }

    @Test("http by kind; presence counts, empty values are fine")
    func http() throws {
        let rule = try lint(
            [
                span(1, kind: .client, type: "http", ["http.method": "GET", "http.url": "", "net.peer.name": ""]),
                span(2, kind: .client, type: "http", ["http.url": "https://a"]),
                span(
                    3, kind: .server, type: "http",
                    ["http.method": "GET", "http.target": "/", "http.scheme": "https", "net.host.name": "a"]),
                span(4, kind: .server, type: "http", ["http.method": "GET", "http.scheme": "https"]),
                span(5, kind: .internal, type: "http", ["http.method": "GET"]),
                span(6, kind: .producer, type: "http"),
            ],
            rule: "required-attributes"
        )
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule) == [missing("http.method", "http"), missing("net.peer.name", "http")])
        #expect(try errors(of: 3, in: rule).isEmpty)
        #expect(try errors(of: 4, in: rule) == [missing("http.target", "http"), missing("net.host.name", "http")])
        #expect(try errors(of: 5, in: rule).isEmpty)
        #expect(try errors(of: 6, in: rule) == [missing("http.method", "http")])
    }

    @Test("database, rpc (net.peer.name), messaging, faas by kind; other types pass")
    func otherTypes() throws {
        let rule = try lint(
            [
                span(1, type: "database", ["db.statement": "SELECT 1"]),
                span(2, type: "database", ["db.system": "sqlite"]),
                span(3, type: "rpc", ["rpc.system": "grpc"]),
                span(4, type: "messaging", ["messaging.operation": "publish"]),
                span(5, kind: .client, type: "faas"),
                span(6, kind: .server, type: "faas", ["faas.trigger": "http"]),
                span(7, kind: .internal, type: "faas"),
                span(8, type: "general"),
                span(9, type: "exception"),
            ],
            rule: "required-attributes"
        )
        #expect(try errors(of: 1, in: rule) == [missing("db.system", "database")])
        #expect(try errors(of: 2, in: rule).isEmpty)
        #expect(try errors(of: 3, in: rule) == [missing("net.peer.name", "rpc")])
        #expect(try errors(of: 4, in: rule) == [missing("messaging.system", "messaging")])
        #expect(
            try errors(of: 5, in: rule) == [
                missing("faas.invoked_name", "faas"), missing("faas.invoked_provider", "faas"),
            ]
        )
        #expect(try errors(of: 6, in: rule).isEmpty)
        #expect(try errors(of: 7, in: rule).isEmpty)
        #expect(try errors(of: 8, in: rule).isEmpty)
        #expect(try errors(of: 9, in: rule).isEmpty)
        #expect(rule.results.count == 9)
    }
}

@Suite("attribute-naming")
struct AttributeNamingTests {
    func badKey(_ key: String) -> SpanError {
        SpanError(value: key, description: "The key \"\(key)\" is not lower-case snake_case parts joined by dots")
    }

    func namespace(_ key: String) -> SpanError {
        SpanError(value: key, description: "The key \"\(key)\" is also the namespace of other keys on this span")
    }

    @Test("keys are dot-separated lower-case snake_case parts")
    func pattern() throws {
        let valid = ["http.method", "db.sql.table", "a_1.b_2", "x.y.z.w", "0.1", "_._"]
        let invalid = [
            "HTTP.method", "method", "http..method", ".http", "http.", "http.request-id", "é.x", "a b.c", "",
        ]
        let rule = try lint(
            [
                span(1, Dictionary(uniqueKeysWithValues: valid.map { ($0, "v") })),
                span(2, Dictionary(uniqueKeysWithValues: invalid.map { ($0, "v") })),
            ],
            rule: "attribute-naming"
        )
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(try errors(of: 2, in: rule) == invalid.sorted().map(badKey))
    }

    @Test("a key that is the namespace of another key clashes, once, after the pattern errors")
    func namespaces() throws {
        let rule = try lint(
            [
                span(
                    1,
                    [
                        "service.instance": "a", "service.instance.id": "b", "service.instance.name": "c",
                        "http": "d", "http.method": "GET", "db.name": "x",
                    ]),
                span(2, ["service.instance.id": "b", "service.name": "c"]),
            ],
            rule: "attribute-naming"
        )
        #expect(try errors(of: 1, in: rule) == [badKey("http"), namespace("http"), namespace("service.instance")])
        #expect(try errors(of: 2, in: rule).isEmpty)
    }

    @Test("Tracetest's own metadata passes")
    func metadata() throws {
        var plain = span(1, "work", kind: .internal, ["app.step": "1"])
        plain.status = SpanStatus(code: "STATUS_CODE_ERROR", message: "boom")
        plain.events = [SpanEvent(name: "e", timeUnixNano: 1)]
        let assembled = Trace(traceID: TraceID(high: 1, low: 1), spans: [plain], now: 10)
        #expect(assembled.root.attributes.keys.contains(TracetestAttributes.statusDescription))
        let result = try Linter(analyzer: analyzer()).lint(assembled)
        let rule = try #require(result.plugins[0].rules.first { $0.id == "attribute-naming" })
        #expect(rule.passed)
    }
}

@Suite("no-empty-attributes")
struct NoEmptyAttributesTests {
    @Test("every empty value is an error, in key order")
    func empty() throws {
        let rule = try lint(
            [span(1, ["b.key": "", "a.key": "", "c.key": "x"]), span(2, ["a.key": " "])],
            rule: "no-empty-attributes"
        )
        #expect(
            try errors(of: 1, in: rule) == [
                SpanError(value: "a.key", description: "The attribute \"a.key\" has an empty value"),
                SpanError(value: "b.key", description: "The attribute \"b.key\" has an empty value"),
            ])
        #expect(try errors(of: 2, in: rule).isEmpty)
        #expect(rule.results.map(\.passed) == [false, true])
    }
}

@Suite("prefer-dns")
struct PreferDNSTests {
    func ip(_ key: String, _ value: String) -> SpanError {
        SpanError(value: key, description: "The attribute \"\(key)\" names a host by IP address: \(value)")
    }

    @Test("http.url and db.connection_string on every span, net.peer.name on client spans")
    func fields() throws {
        let rule = try lint(
            [
                span(1, kind: .server, ["http.url": "http://10.0.0.7:8080/x", "net.peer.name": "10.0.0.8"]),
                span(2, kind: .client, ["db.connection_string": "Server=192.168.1.20;", "net.peer.name": "10.0.0.8"]),
                span(3, kind: .client, ["http.url": "https://pokeshop.local/x", "net.peer.name": "pokeshop"]),
                span(4, type: "general"),
            ],
            rule: "prefer-dns"
        )
        #expect(try errors(of: 1, in: rule) == [ip("http.url", "http://10.0.0.7:8080/x")])
        #expect(
            try errors(of: 2, in: rule) == [
                ip("db.connection_string", "Server=192.168.1.20;"), ip("net.peer.name", "10.0.0.8"),
            ])
        #expect(try errors(of: 3, in: rule).isEmpty)
        #expect(try errors(of: 4, in: rule).isEmpty)
        #expect(rule.results.count == 4)
    }

    @Test(
        "dotted quads anywhere in the text, parts 0–255",
        arguments: [
            ("1.2.3.4", true), ("http://127.0.0.1:11633", true), ("255.255.255.255", true), ("01.002.3.4", true),
            ("999.1.1.1", true), ("1.2.3.4567", true), ("a1.22.255.0b", true), ("1.2.3.4.5", true),
            ("1.256.1.1", false), ("1.2.300.4", false), ("1.1000.1.1", false), ("1.2.3", false), ("1.2.3.", false),
            (".1.2.3.4", true), ("1..2.3.4", false), ("v1.2.3-beta", false), ("::1", false), ("", false),
            ("pokeshop.svc.cluster.local", false),
        ])
    func ipv4(text: String, found: Bool) throws {
        let rule = try lint([span(1, ["http.url": text])], rule: "prefer-dns")
        #expect(rule.passed == !found, "\(text)")
    }
}

@Suite("secure-https-protocol")
struct SecureHTTPSTests {
    @Test("http spans of any kind: http.scheme and http.url start with https; missing counts as insecure")
    func https() throws {
        let rule = try lint(
            [
                span(1, kind: .server, type: "http", ["http.scheme": "https", "http.url": "https://a/x"]),
                span(2, kind: .client, type: "http", ["http.scheme": "http", "http.url": "http://a/x"]),
                span(3, kind: .server, type: "http", ["http.scheme": "https"]),
                span(4, type: "database", ["http.url": "http://a"]),
                span(5, kind: .internal, type: "http", ["http.scheme": "https", "http.url": "x-https://a"]),
            ],
            rule: "secure-https-protocol"
        )
        #expect(rule.results.map(\.spanID) == [hex(1), hex(2), hex(3), hex(5)])
        #expect(try errors(of: 1, in: rule).isEmpty)
        #expect(
            try errors(of: 2, in: rule) == [
                SpanError(value: "http.scheme", description: "The attribute \"http.scheme\" is not HTTPS: http"),
                SpanError(value: "http.url", description: "The attribute \"http.url\" is not HTTPS: http://a/x"),
            ])
        #expect(
            try errors(of: 3, in: rule) == [
                SpanError(
                    value: "http.url", description: "The attribute \"http.url\" is missing, so HTTPS use is not shown")
            ])
        #expect(
            try errors(of: 5, in: rule) == [
                SpanError(value: "http.url", description: "The attribute \"http.url\" is not HTTPS: x-https://a")
            ])
    }
}

@Suite("no-api-key-leak")
struct NoAPIKeyLeakTests {
    @Test("http spans: authorization and x-api-key headers, request and response, absent or empty")
    func leaks() throws {
        let all = [
            "http.request.header.authorization": "Bearer secret", "http.response.header.authorization": "x",
            "http.request.header.x-api-key": "k", "http.response.header.x-api-key": "k",
        ]
        let rule = try lint(
            [
                span(1, type: "http", all),
                span(2, type: "http", ["http.request.header.authorization": "", "http.request.header.accept": "*/*"]),
                span(3, type: "general", all),
            ],
            rule: "no-api-key-leak"
        )
        #expect(rule.results.map(\.spanID) == [hex(1), hex(2)])
        let leaked = try errors(of: 1, in: rule)
        #expect(
            leaked.map(\.value) == [
                "http.request.header.authorization", "http.response.header.authorization",
                "http.request.header.x-api-key", "http.response.header.x-api-key",
            ])
        #expect(
            leaked[0].description == "The attribute \"http.request.header.authorization\" records a credential")
        #expect(!leaked.contains { $0.description.contains("secret") })
        #expect(try errors(of: 2, in: rule).isEmpty)
    }
}
