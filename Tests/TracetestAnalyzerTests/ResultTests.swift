import Foundation
import Testing
import TracetestAnalyzer
import TracetestModel

@Suite("Result encoding")
struct ResultEncodingTests {
    /// Common (error) and Security (https warning, api keys disabled) on two spans.
    func small() throws -> LinterResult {
        var config = analyzer(minimumScore: 50, disabledPlugins: ["standards"])
        config.plugins[2].rules[0].errorLevel = "warning"
        config.plugins[2].rules[1].errorLevel = "disabled"
        return try Linter(analyzer: config).lint(
            trace([
                span(
                    1, "GET", kind: .client, type: "http", ["http.url": "https://10.1.2.3/a", "http.scheme": "https"]),
                span(2, "work"),
            ]))
    }

    @Test("golden JSON: key order of api-resources.md §4, errors only on failing spans")
    func golden() throws {
        let result = try small()
        let expected =
            #"{"minimumScore":50,"passed":false,"score":50,"plugins":["#
            + #"{"name":"Common Problems","description":"Finds common mistakes in instrumented applications.","passed":false,"score":0,"rules":["#
            + #"{"id":"prefer-dns","name":"Prefer DNS","description":"Addresses of other services use host names, not IP addresses.","errorDescription":"These attributes hold an IP address:","passed":false,"weight":100,"tips":["Reach services by DNS name so they can move without configuration changes."],"level":"error","results":["#
            + #"{"spanId":"0000000000000001","passed":false,"severity":"error","errors":[{"value":"http.url","description":"The attribute \"http.url\" names a host by IP address: https://10.1.2.3/a","suggestions":[]}]},"#
            + #"{"spanId":"0000000000000002","passed":true}]}]},"#
            + #"{"name":"Security","description":"Finds security problems visible in the trace.","passed":true,"score":100,"rules":["#
            + #"{"id":"secure-https-protocol","name":"Secure HTTPS Protocol","description":"HTTP spans use HTTPS.","errorDescription":"This span uses plain HTTP:","passed":true,"weight":30,"tips":["Serve and call HTTP endpoints over TLS."],"level":"warning","results":[{"spanId":"0000000000000001","passed":true}]},"#
            + #"{"id":"no-api-key-leak","name":"No API Key Leak","description":"HTTP spans do not record credentials in header attributes.","errorDescription":"These attributes expose credentials:","passed":true,"weight":70,"tips":["Do not record authorization or API key headers as span attributes."],"level":"disabled","results":[]}]}]}"#
        #expect(result.wireValue.jsonText == expected)
        #expect(result.jsonText == expected)
        #expect(try WireEncoder().encode(result) == result.wireValue)
        #expect(result.failedGates == [.analyzerRules])
    }

    @Test("expected is written when the rule knows it, between value and description")
    func expected() throws {
        let result = try Linter(analyzer: analyzer(disabledPlugins: ["common", "security"])).lint(
            trace([span(1, "x", kind: .client, type: "http", ["http.method": "GET"])]))
        let naming = try #require(result.plugins[0].rules.first { $0.id == "span-naming" })
        #expect(
            try WireEncoder().encode(naming.results[0]).jsonText
                == #"{"spanId":"0000000000000001","passed":false,"severity":"error","errors":[{"value":"tracetest.span.name","expected":"GET","description":"The name \"x\" does not follow the naming convention of http spans","suggestions":[]}]}"#
        )
        #expect(try WireEncoder().encode(result) == result.wireValue)
    }

    @Test("jsonText is wireValue's JSON, escapes included")
    func directJSON() throws {
        let odd = "q\"b\\s\n\r\t\u{1}\u{1f}\u{7f}\u{2028}\u{2029}é😀 end"
        let result = try Linter(analyzer: analyzer(minimumScore: 90)).lint(
            trace([
                span(
                    1, odd, kind: .client, type: "http", [odd: "", "http.method": "GET", "http.url": "http://1.2.3.4"]),
                span(2, "x", type: "database", ["db.system": "redis"]),
            ]))
        #expect(result.jsonText == result.wireValue.jsonText)
        #expect(result.jsonText.contains(#"q\"b\\s\n\r\t\u0001\u001f"# + "\u{7f}" + #"\u2028\u2029é😀 end"#))
        let empty = LinterResult(minimumScore: 0, passed: true, score: 100, plugins: [])
        #expect(empty.jsonText == #"{"minimumScore":0,"passed":true,"score":100,"plugins":[]}"#)
    }

    @Test("decodes what it encodes, and tolerates left-out keys")
    func roundTrip() throws {
        let result = try Linter(analyzer: analyzer()).lint(trace(workedExample))
        let json = Data(result.wireValue.jsonText.utf8)
        #expect(try JSONDecoder().decode(LinterResult.self, from: json) == result)
        let sparse = try JSONDecoder().decode(
            LinterResult.self,
            from: Data(#"{"score":92,"plugins":[{"name":"n","rules":[{"id":"r","results":[{"spanId":"a"}]}]}]}"#.utf8))
        #expect(sparse.score == 92 && !sparse.passed && sparse.minimumScore == 0)
        #expect(sparse.plugins[0].rules[0].level == .error)
        #expect(sparse.plugins[0].rules[0].results == [LinterResult.SpanResult(spanID: "a", passed: false)])
    }
}
