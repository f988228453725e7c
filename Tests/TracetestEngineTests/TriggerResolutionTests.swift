import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Trigger resolution")
struct TriggerResolutionTests {
    let resolution = TriggerResolution(variables: ["HOST": "app:8080", "ID": "52", "TOKEN": "s3cr3t", "USER": "ash"])

    @Test("variables are resolved in the URL, method, headers, body and auth of an HTTP trigger")
    func httpFields() throws {
        let trigger = Trigger(
            type: "http",
            httpRequest: HTTPRequest(
                method: "post", url: "http://${var:HOST}/pokemon/${var:ID}",
                headers: [KeyValue(key: "X-User", value: "${var:USER}")], body: #"{"id": ${var:ID}}"#,
                auth: Authentication(type: "bearer", bearer: .init(token: "Bearer ${var:TOKEN}"))))
        let resolved = try resolution.resolve(trigger).httpRequest
        #expect(resolved?.url == "http://app:8080/pokemon/52")
        #expect(resolved?.method == "POST")
        #expect(resolved?.headers == [KeyValue(key: "X-User", value: "ash")])
        #expect(resolved?.body == #"{"id": 52}"#)
        #expect(resolved?.auth?.bearer?.token == "Bearer s3cr3t")
    }

    @Test("GraphQL variables are resolved at any depth, and keep their JSON types")
    func graphqlVariables() throws {
        let trigger = Trigger(
            type: "graphql",
            graphql: GraphQLRequest(
                url: "http://${var:HOST}/graphql",
                body: .init(
                    query: "query { a }",
                    variables: [
                        "id": .integer(7), "input": .object(["user": .string("${var:USER}")]),
                        "tags": .array([.string("${var:ID}")]),
                    ])))
        let resolved = try resolution.resolve(trigger).graphql
        #expect(resolved?.url == "http://app:8080/graphql")
        #expect(resolved?.body?.variables["id"] == .integer(7))
        #expect(resolved?.body?.variables["input"] == .object(["user": .string("ash")]))
        #expect(resolved?.body?.variables["tags"] == .array([.string("52")]))
    }

    @Test("a variable the run does not have is an error naming the field")
    func missingVariable() {
        let trigger = Trigger(type: "http", httpRequest: HTTPRequest(url: "http://${var:NOPE}/x"))
        #expect {
            try resolution.resolve(trigger)
        } throws: { error in
            let error = error as? TriggerResolutionError
            return error?.field == "httpRequest.url" && "\(error!)".contains("NOPE")
        }
    }

    @Test("text without expressions is kept as written")
    func plainText() throws {
        let trigger = Trigger(type: "http", httpRequest: HTTPRequest(method: "GET", url: "http://app/a?b=$c"))
        #expect(try resolution.resolve(trigger).httpRequest?.url == "http://app/a?b=$c")
    }

    @Test("the trace-id integrations take the trace id from TRACE_ID; traceid triggers resolve their own")
    func traceIDIntegrations() throws {
        let withID = TriggerResolution(variables: ["TRACE_ID": "4bf92f3577b34da6a3ce929d0e0e4736"])
        #expect(try withID.resolve(Trigger(type: "k6")).traceid?.id == "4bf92f3577b34da6a3ce929d0e0e4736")
        let traceid = Trigger(type: "traceid", traceid: TraceIDRequest(id: "${var:TRACE_ID}"))
        #expect(try withID.resolve(traceid).traceid?.id == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(throws: TriggerResolutionError.self) { try resolution.resolve(Trigger(type: "cypress")) }
    }
}
