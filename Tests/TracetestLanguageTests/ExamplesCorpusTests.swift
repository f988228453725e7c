import Foundation
import Testing

@testable import TracetestLanguage

// The selector and assertion lines of examples-corpus.md (§2, its bonus lines, and the syntax of §3).
@Suite struct ExamplesCorpusTests {
    static let assertions = [
        "attr:tracetest.selected_spans.count = 1",
        "attr:http.status_code  =  200",
        "attr:tracetest.span.duration  <  500ms",
        "attr:tracetest.span.duration  >  3500ms",
        "attr:tracetest.response.status = 201",
        #"attr:db.result contains "charizard""#,
        #"attr:span.events not-contains "exception""#,
        #"attr:db.system != """#,
        "attr:tracetest.selected_spans.count >= 1",
        "attr:tracetest.span.start_time > 0",
        #"attr:db.payload = '{"key":"pokemon_6"}'"#,
        #"attr:http.response.body | json_path '$.id' = "143""#,
        #"attr:messaging.payload | json_path '$.fields.routingKey' = "queue.synchronizePokemon""#,
        #"attr:db.result | json_path '.name'  =  "charizard""#,
        "attr:tracetest.response.body | json_path '$.spec.id' = var:EXAMPLE_TEST_ID",
        "attr:tracetest.response.body | json_path '$.items[*].spec.id' contains var:HTTP_TEST_ID",
        #"attr:tracetest.run.trigger.test_id = "${var:HTTP_TEST_ID}""#,
        #"attr:db.result  contains  '"imageUrl":"${var:POKEMON_URL}"'"#,
        #"attr:http.route = "/api/v2/pokemon/${var:POKEMON_ID}""#,
        #"attr:tracetest.response.body | json_path '$.priceUsd' != "{}""#,
        "attr:response.time.ms < 100",
        "attr:tracetest.selected_spans.count = 4 ",
        // §1: the json_path forms of the inventory, and comparisons written with extra spaces.
        "attr:tracetest.response.body | json_path '$[*].item.id' contains var:TRANSACTION_ID",
        #"attr:tracetest.response.body | json_path '$[0].redirectUrl' != """#,
        #"attr:tracetest.response.body | json_path '$.priceUsd' != "[]""#,
        #"attr:messaging.destination contains      "charizard""#,
        #"attr:fraud.high_value = "true""#,
        // §3
        "attr:product.stock = attr:product.stok_before_purchase - attr:product.number_bought_items",
        "100ms + 200ms = 300ms",
        "15 * 10 = 150",
        #"attr:error.message = "Could not withdraw ${attr:withdraw.amount}, your balance is insufficient.""#,
        #"attr:text | regex '\$\d+(\.\d+)?' = "$3""#,
        #"attr:text | regex_group 'user (\w+) has (\d+)' | get_index 1 = 3"#,
        "attr:list | get_index 'last' = 3",
        "attr:list | length = 3",
        #"2s | type = "duration""#,
        "[1, 2, 3] | length = 3",
        "[31,35,39] contains 35",
        #"["number", "string"] contains attr:my_attribute | type"#,
        #"attr:tracetest.response.body contains '{"name": "john"}'"#,
        "firstName() | length > 0",
        "randomInt(0,10) <= 10",
        "uuid() != date()",
        "env:NAME = var:NAME",
        "200 ms < 1.5s",
        #"'This should be workin\'' = "This should be workin'""#,
    ]

    static let expressions = [
        "attr:tracetest.response.body| json_path '$.id'",
        "attr:aws.xray.metadata.default | json_path '.TaskToken'",
        "attr:tracetest.response.body | json_path '$.id'",
    ]

    static let selectors = [
        #"span[name = "Tracetest trigger"]"#,
        #"span[tracetest.span.type="database" name="create postgres.pokemon" db.system="postgres" db.name="postgres" db.user="postgres" db.operation="create" db.sql.table="pokemon"]"#,
        #"span[name = "Evaluating trace"]:last"#,
        #"span[tracetest.span.type="database" name="create postgres.pokemon"]:first"#,
        #"span[tracetest.span.type="general" name = "validate request"] span[tracetest.span.type="http"]"#,
        #"span[name="proto.PaymentReceiver/ReceivePayment"] span[name="EnqueuePayment"] span[name="SendPaymentNotification"] span[name="ProcessPaymentNotification"]"#,
        #"span[name="POST /api/tests/{testId}/run/{runId}/rerun" tracetest.span.type="http"]"#,
        #"span[tracetest.span.type="general" name="DynamoDB" aws.operation = "UpdateItem"]"#,
        // Folded over YAML lines.
        "span[tracetest.span.type=\"general\"\n  name=\"validate request\"]\n span[tracetest.span.type=\"http\"]",
        // §3
        "",
        #"span[tracetest.span.type="http"]:nth_child(3)"#,
        #"span[service.name contains "api"]"#,
        #"span[service.name="api-product"], span[service.name="api-auth"]"#,
        #"span[service.name="cart-api", name="purchase products"] span[]"#,
        "span[http.status_code=200]:nth_child(3)",
        #"span[service.name="Pokeshop" tracetest.error=true]"#,
        "span[tracetest.span.duration=0.5] span[]",
    ]

    @Test(arguments: assertions)
    func assertionParses(_ text: String) throws {
        _ = try Assertion(parsing: text)
    }

    @Test(arguments: expressions)
    func outputValueParses(_ text: String) throws {
        _ = try Expression(parsing: text)
    }

    @Test(arguments: selectors)
    func selectorParses(_ text: String) throws {
        _ = try Selector(parsing: text)
    }

    @Test func legacyAssertionWithoutAttrPrefixFails() {
        let text = "tracetest.span.duration <= 100ms"
        #expect {
            try Assertion(parsing: text)
        } throws: { error in
            guard let error = error as? LanguageError else { return false }
            VectorChecks.expectPositioned(error, in: text)
            return error.column == 10 && error.message.contains("\".\"")
        }
    }

    @Test func typographicQuotesFail() {
        let text = "span[name = “Tracetest trigger”]"
        #expect {
            try Selector(parsing: text)
        } throws: { error in
            guard let error = error as? LanguageError else { return false }
            VectorChecks.expectPositioned(error, in: text)
            return error.column == 13 && error.excerpt == text + "\n" + String(repeating: " ", count: 12) + "^"
        }
    }

    // The lines of the corpus file itself (a verbatim copy in Fixtures): every backticked line of §2, and every
    // assertion, output value and selector in the §1 inventory table. The two lines §2 marks invalid fail with a position.
    @Test func everyLineOfTheCorpusFile() throws {
        let url = try #require(
            Bundle.module.url(forResource: "examples-corpus", withExtension: "md", subdirectory: "Fixtures"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let numbered = try Regex(#"^(?:(\d+)\.|\*) `([^`]*)`"#)
        let snippet = try Regex(#"`([^`]+)`"#)
        var section = ""
        var checked = 0
        for line in lines {
            if line.hasPrefix("## ") { section = String(line.prefix(5)) }
            if section == "## 2.", let match = try numbered.firstMatch(in: line) {
                let text = String(match.output[2].substring!)
                let number = match.output[1].substring.flatMap { Int($0) }
                switch number {
                case 22?, 30?: Self.expectPositionedFailure(text)
                case let number? where number <= 21: _ = try Assertion(parsing: text)
                case _?: _ = try Selector(parsing: text)
                case nil where text.hasPrefix("span"): _ = try Selector(parsing: text)
                case nil where text.contains(" = "): _ = try Assertion(parsing: text)
                case nil: _ = try Expression(parsing: text)
                }
                checked += 1
            } else if section == "## 1.", line.hasPrefix("| "), line.dropFirst(2).first?.isNumber == true {
                for match in line.matches(of: snippet) {
                    let text = String(match.output[1].substring!).replacingOccurrences(of: "\\|", with: "|")
                    guard !text.contains("…") else { continue }
                    if text.hasPrefix("span[") && !text.contains("“") {
                        _ = try Selector(parsing: text)
                        checked += 1
                    } else if text.hasPrefix("attr:"), text != "attr:" {
                        // An assertion, or an output's value (row 14).
                        if (try? Assertion(parsing: text)) == nil { _ = try Expression(parsing: text) }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 40, "the corpus file's lines were found")
    }

    private static func expectPositionedFailure(_ text: String) {
        #expect {
            if text.hasPrefix("span") { _ = try Selector(parsing: text) } else { _ = try Assertion(parsing: text) }
        } throws: { error in
            guard let error = error as? LanguageError else { return false }
            VectorChecks.expectPositioned(error, in: text)
            return true
        }
    }
}
