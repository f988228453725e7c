import Testing
import TracetestModel

@Suite("OpenAPI form")
struct OpenAPIFormTests {
    @Test("an http trigger carries every sub-object, auth expanded (api-resources.md §9.3)")
    func trigger() {
        let trigger = Trigger(
            type: "http",
            httpRequest: HTTPRequest(method: "GET", url: "http://x", headers: [KeyValue(key: "a", value: "b")])
        )
        #expect(
            OpenAPIForm.trigger(trigger).jsonText
                == #"{"type":"http","httpRequest":{"url":"http://x","method":"GET","headers":[{"key":"a","value":"b"}],"auth":{"apiKey":{},"basic":{},"bearer":{}}},"grpc":{"auth":{"apiKey":{},"basic":{},"bearer":{}}},"traceid":{},"kafka":{"authentication":{"plain":{}}},"playwrightEngine":{},"graphql":{"auth":{"apiKey":{},"basic":{},"bearer":{}},"body":{}}}"#
        )
    }

    @Test("a test has version, createdAt, selectorParsed and a summary without never-run time")
    func test() {
        let test = TracetestModel.Test(
            id: "t", createdAt: Timestamp(rfc3339: "2024-05-01T12:00:00.123456Z"), name: "n", version: 2,
            specs: [TestSpec(selector: "span", name: "s", assertions: ["attr:a = 1"])],
            summary: Summary(runs: 3, lastRun: .init(time: .zero, passes: 2))
        )
        let json = OpenAPIForm.test(test).jsonText
        #expect(
            json.hasPrefix(#"{"id":"t","name":"n","version":2,"createdAt":"2024-05-01T12:00:00.123456Z","trigger":{"#))
        #expect(
            json.contains(
                #""specs":[{"name":"s","selector":"span","selectorParsed":{"query":"span"},"assertions":["attr:a = 1"]}]"#
            ))
        #expect(json.hasSuffix(#""summary":{"runs":3,"lastRun":{"passes":2}}}"#))
        #expect(!json.contains("skipTraceCollection"))
    }

    @Test("kafka authentication is spelt correctly in this form")
    func kafka() {
        let trigger = Trigger(
            type: "kafka",
            kafka: KafkaRequest(
                brokerUrls: ["k:9092"], topic: "t", authentication: .init(type: "plain", plain: .init(username: "u")))
        )
        #expect(
            OpenAPIForm.trigger(trigger).jsonText.contains(
                #""kafka":{"brokerUrls":["k:9092"],"topic":"t","authentication":{"type":"plain","plain":{"username":"u"}}}"#
            ))
    }
}
