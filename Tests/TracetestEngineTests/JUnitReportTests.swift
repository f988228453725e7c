import Foundation
import Testing
import TracetestLanguage
import TracetestModel

@testable import TracetestEngine

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("JUnit report")
struct JUnitReportTests {
    /// A trace of two HTTP spans answering 200 and 500.
    func index() -> TraceIndex {
        let root = Span(
            id: SpanID(hex: "0000000000000001")!, name: "GET /a", kind: .server, startTimeUnixNano: 1,
            endTimeUnixNano: 2, attributes: ["http.status_code": "200"])
        let child = Span(
            id: SpanID(hex: "0000000000000002")!, parentID: root.id, name: "GET /b", kind: .client,
            startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: ["http.status_code": "500"])
        return TraceIndex(Trace(traceID: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!, spans: [root, child]))
    }

    @Test("one testsuite per spec, one testcase per assertion and span; failures and errors counted")
    func layout() throws {
        let specs = [
            TestSpec(selector: #"span[name = "GET /a"]"#, assertions: ["attr:http.status_code = 200"]),
            TestSpec(
                selector: "span[kind = \"client\"] , span[kind = \"server\"]",
                assertions: ["attr:http.status_code < 400"]),
            TestSpec(
                selector: #"span[name = "GET /a"]"#, name: "GET /a & its status",
                assertions: ["attr:missing.thing = 1 + "]),
        ]
        let (results, _) = SpecEvaluation.evaluate(specs, on: index(), variables: [:])
        let xml = JUnitReport.xml(
            .init(testName: "A \"quoted\" <test>", specNames: specs.map { $0.name }, results: results), seconds: 3)

        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "name")?.stringValue == "A \"quoted\" <test>")
        #expect(root.attribute(forName: "tests")?.stringValue == "4")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        #expect(root.attribute(forName: "errors")?.stringValue == "1")
        #expect(root.attribute(forName: "time")?.stringValue == "3")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { $0.attribute(forName: "tests")?.stringValue } == ["1", "2", "1"])
        #expect(suites[0].attribute(forName: "name")?.stringValue == #"span[name = "GET /a"]"#)
        let failure = try #require(
            suites[1].elements(forName: "testcase").compactMap { $0.elements(forName: "failure").first }.first)
        #expect(failure.attribute(forName: "message")?.stringValue == "500")
        #expect(suites[2].elements(forName: "testcase").first?.elements(forName: "error").isEmpty == false)
        // A named spec is named by its name, and its selector is a property.
        #expect(suites[2].attribute(forName: "name")?.stringValue == "GET /a & its status")
        let property = suites[2].elements(forName: "properties").first?.elements(forName: "property").first
        #expect(property?.attribute(forName: "name")?.stringValue == "selector")
        #expect(property?.attribute(forName: "value")?.stringValue == #"span[name = "GET /a"]"#)
        #expect(suites[0].elements(forName: "properties").isEmpty)

        #expect(!xml.hasPrefix("<?xml"))

        // Text XML cannot hold (a control character) becomes U+FFFD; CR LF is escaped; the report stays valid XML.
        let odd = JUnitReport.xml(
            .init(testName: "odd\u{1B}[31m name\r\nnext", specNames: [], results: results), seconds: 0)
        let oddRoot = try #require(try XMLDocument(data: Data(odd.utf8)).rootElement())
        #expect(oddRoot.attribute(forName: "name")?.stringValue == "odd\u{FFFD}[31m name\r\nnext")
        #expect(xml.contains("name=\"A &#34;quoted&#34; &lt;test&gt;\""))
        #expect(xml.contains("\t<testsuite "))
        #expect(!xml.contains("/>"))
    }
}
