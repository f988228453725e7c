import TestSupport
import Testing
import TracetestModel

@testable import TracetestAnalyzer

@Suite("Linter set-up")
struct LinterSetupTests {
    @Test("names, descriptions and tips come from the built-in catalogue; weight and level from the analyzer")
    func metadataMerge() throws {
        let config = Analyzer(
            id: "current", name: "analyzer", enabled: true, minimumScore: 10,
            plugins: [
                Analyzer.Plugin(
                    id: "common", name: "Mine", description: "my words", enabled: true,
                    rules: [
                        Analyzer.Rule(
                            id: "prefer-dns", name: "Other", description: "d", errorDescription: "e", tips: ["t"],
                            weight: 7, errorLevel: "warning")
                    ])
            ])
        let result = try Linter(analyzer: config).lint(trace([span(1)]))
        let builtIn = try #require(Analyzer.builtInPlugins.first { $0.id == "common" })
        let plugin = try #require(result.plugins.first)
        #expect(plugin.name == builtIn.name && plugin.description == builtIn.description)
        let rule = try #require(plugin.rules.first)
        let meta = builtIn.rules[0]
        #expect(rule.id == "prefer-dns")
        #expect(rule.name == meta.name && rule.description == meta.description)
        #expect(rule.errorDescription == meta.errorDescription && rule.tips == meta.tips)
        #expect(rule.weight == 7 && rule.level == .warning)
        #expect(result.minimumScore == 10)
    }

    @Test("a plugin may list fewer rules; only those run")
    func subset() throws {
        let config = Analyzer(
            id: "current", name: "analyzer", enabled: true,
            plugins: [
                Analyzer.Plugin(
                    id: "security", enabled: true,
                    rules: [Analyzer.Rule(id: "no-api-key-leak", weight: 70, errorLevel: "error")])
            ])
        let result = try Linter(analyzer: config).lint(trace(workedExample))
        #expect(result.plugins.map { $0.rules.map(\.id) } == [["no-api-key-leak"]])
        #expect(result.score == 100)
    }

    @Test("unknown plugin, rule or level is an error, in disabled plugins too")
    func unknownIDs() {
        func config(plugin: String = "standards", rule: String = "span-naming", level: String = "error")
            -> Analyzer
        {
            var analyzer = Analyzer.defaultAnalyzer
            analyzer.plugins[0] = Analyzer.Plugin(
                id: plugin, enabled: false, rules: [Analyzer.Rule(id: rule, weight: 25, errorLevel: level)])
            return analyzer
        }
        #expect(throws: LinterError.unknownPlugin("perf")) { try Linter(analyzer: config(plugin: "perf")) }
        #expect(throws: LinterError.unknownRule(plugin: "standards", rule: "prefer-dns")) {
            try Linter(analyzer: config(rule: "prefer-dns"))
        }
        #expect(throws: LinterError.unknownErrorLevel(rule: "span-naming", level: "fatal")) {
            try Linter(analyzer: config(level: "fatal"))
        }
        #expect(
            LinterError.unknownPlugin("perf").description
                == "analyzer plugin \"perf\" does not exist (plugins: standards, common, security)")
        #expect(
            LinterError.unknownRule(plugin: "common", rule: "x").description
                == "analyzer plugin \"common\" has no rule \"x\" (its rules: prefer-dns)")
        #expect(
            LinterError.unknownErrorLevel(rule: "prefer-dns", level: "fatal").description
                == "analyzer rule \"prefer-dns\" has error level \"fatal\" (levels: error, warning, disabled)")
    }

    @Test("a disabled analyzer is skipped: no result")
    func disabledAnalyzer() throws {
        var config = Analyzer.defaultAnalyzer
        config.enabled = false
        #expect(try Linter.lint(trace(workedExample), with: config) == nil)
        config.enabled = true
        #expect(try Linter.lint(trace(workedExample), with: config)?.score == 73)
    }

    @Test("the engine's entry point: wire value and gate names, nil when disabled, the error when ids are unknown")
    func traceAnalyzer() throws {
        var settings = analyzer(minimumScore: 80)
        let analyzed = try #require(try TraceAnalyzer().analyze(trace(workedExample), settings: settings))
        #expect(analyzed.failedGates == ["analyzer-rules", "analyzer-score"])
        let linted = try Linter(analyzer: settings).lint(trace(workedExample))
        #expect(analyzed.result == .raw(linted.jsonText))
        #expect(analyzed.summary == .raw(linted.summaryJSONText))
        #expect(linted.summaryJSONText.contains(#""results":[]"#))
        #expect(!linted.jsonText.contains(#""results":[]"#))
        settings.enabled = false
        #expect(try TraceAnalyzer().analyze(trace(workedExample), settings: settings) == nil)
        settings.enabled = true
        settings.plugins[1].id = "perf"
        #expect(throws: LinterError.unknownPlugin("perf")) {
            try TraceAnalyzer().analyze(trace(workedExample), settings: settings)
        }
    }

    @Test("results follow the trace's pre-order, whatever order the spans came in")
    func order() throws {
        let root = Span(id: SpanID(10), name: "root", startTimeUnixNano: 1)
        let later = Span(id: SpanID(3), parentID: SpanID(10), name: "b", startTimeUnixNano: 5)
        let earlier = Span(id: SpanID(7), parentID: SpanID(10), name: "a", startTimeUnixNano: 2)
        let child = Span(id: SpanID(1), parentID: SpanID(7), name: "c", startTimeUnixNano: 3)
        let assembled = Trace(traceID: TraceID(high: 1, low: 1), spans: [later, child, root, earlier], now: 100)
        let result = try Linter(analyzer: analyzer()).lint(assembled)
        for rule in result.plugins.flatMap(\.rules)
        where rule.id != "secure-https-protocol" && rule.id != "no-api-key-leak" {
            #expect(rule.results.map(\.spanID) == [hex(10), hex(7), hex(1), hex(3)], "\(rule.id)")
        }
    }
}

@Suite("Large traces")
struct LargeTraceTests {
    @Test("100,000 spans of every type are linted, one result per span and rule")
    func hundredThousandSpans() async throws {
        let count = 100_000
        // Seconds of work in a debug build: on a thread of its own, so other tests' network waits are not stalled.
        let (big, result, whole, parted) = try await onOwnThread {
            var spans: [Span] = []
            spans.reserveCapacity(count)
            spans.append(Span(id: SpanID(1), name: "Tracetest trigger", startTimeUnixNano: 0, endTimeUnixNano: 10))
            for number in 2...count {
                let parent = SpanID(UInt64(number / 2))
                var attributes = ["service.name": "pokeshop", "app.index": String(number)]
                let (name, kind): (String, SpanKind)
                switch number % 5 {
                case 0:
                    (name, kind) = ("GET /pokemon/:id", .server)
                    attributes.merge(
                        [
                            "http.method": "GET", "http.route": "/pokemon/:id", "http.url": "http://10.0.0.1/pokemon/1",
                            "http.scheme": "http", "http.target": "/pokemon/1", "net.host.name": "pokeshop",
                        ]
                    ) { $1 }
                case 1:
                    (name, kind) = ("SELECT pokeshop.pokemon", .client)
                    attributes.merge(
                        [
                            "db.system": "postgresql", "db.operation": "SELECT", "db.name": "pokeshop",
                            "db.sql.table": "pokemon", "db.statement": "",
                        ]
                    ) { $1 }
                case 2:
                    (name, kind) = ("get", .client)
                    attributes.merge(["db.system": "redis", "db.statement": "GET pokemon:1"]) { $1 }
                case 3:
                    (name, kind) = ("publish pokemon.Import", .producer)
                    attributes.merge(
                        [
                            "messaging.system": "kafka", "messaging.destination": "pokemon.Import",
                            "messaging.operation": "publish",
                        ]
                    ) { $1 }
                default:
                    (name, kind) = ("validate", .internal)
                    attributes["Validation.Result"] = "ok"
                }
                spans.append(
                    Span(
                        id: SpanID(UInt64(number)), parentID: parent, name: name, kind: kind,
                        startTimeUnixNano: Int64(number), endTimeUnixNano: Int64(number) + 5, attributes: attributes))
            }
            let big = Trace(traceID: TraceID(high: 9, low: 9), spans: spans, now: 1_000_000)
            let result = try Linter(analyzer: analyzer()).lint(big)
            let planned = try Linter(analyzer: analyzer()).plugins.flatMap(\.rules)
            let whole = Linter.evaluate(big.spans[...], rules: planned)
            let parted = Linter.evaluate(big.spans, rules: planned)
            return (big, result, whole, parted)
        }
        #expect(big.count == count)
        let rules = Dictionary(uniqueKeysWithValues: result.plugins.flatMap(\.rules).map { ($0.id, $0) })
        for id in ["span-naming", "required-attributes", "attribute-naming", "no-empty-attributes", "prefer-dns"] {
            #expect(rules[id]?.results.count == count, "\(id)")
        }
        #expect(rules["secure-https-protocol"]?.results.count == count / 5)
        #expect(rules["no-api-key-leak"]?.results.count == count / 5)
        #expect(rules["attribute-naming"]?.results.filter { !$0.passed }.count == count / 5)
        #expect(rules["no-empty-attributes"]?.results.filter { !$0.passed }.count == count / 5 - 1)
        #expect(rules["prefer-dns"]?.results.filter { !$0.passed }.count == count / 5)
        #expect(rules["span-naming"]?.results.filter { !$0.passed }.count == count / 5)
        #expect(rules["required-attributes"]?.results.filter { !$0.passed }.count == 0)
        #expect(result.plugins.map(\.score) == [25, 0, 70])
        #expect(result.score == 31)
        #expect(rules["span-naming"]?.results.first?.spanID == hex(1))

        // Linted in parts (in parallel where there are several processors) exactly as in one go.
        #expect(parted.map(\.passed) == whole.map(\.passed))
        #expect(parted.map(\.results) == whole.map(\.results))
    }
}
