import AsyncHTTPClient
import Foundation
import Hummingbird
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

@testable import TracetestTraceSources

/// Trace-id runs through a whole server against each HTTP store's stand-in (and X-Ray's emulator): the data store is
/// set through the API, the run polls the store, and its specs check names, attributes, parent and child, and
/// `service.name`; a trace the store never has ends `TRACE_FAILED` at the profile's timeout. (Jaeger and Tempo have
/// theirs in TracetestServerTests' TraceStoreRunTests.)
@Suite("Runs against the HTTP trace stores")
struct StoreRunTests {
    static let specs = """
        [{"selector":"span[name=\\"GET /pokemon\\"] span[name=\\"SELECT pokemon\\"]",\
        "assertions":["attr:db.system = \\"postgresql\\"","attr:service.name = \\"pokeshop\\"",\
        "attr:tracetest.selected_spans.count = 1"]}]
        """

    /// Sets `store` (the `spec` of a DataStore) as the server's, runs a trace-id test of `traceID` and of a trace the
    /// store does not have, and checks both.
    static func run(
        _ api: TestAPI, store: String, name: String, traceID: TraceID, unknown: TraceID, specs: String = specs
    ) async throws {
        let put = try await api.put("/api/datastores/current", #"{"type":"DataStore","spec":\#(store)}"#)
        #expect(put.status == 200, "\(put)")
        let profile = """
            {"type":"PollingProfile","spec":{"name":"quick","strategy":"periodic",\
            "periodic":{"retryDelay":"200ms","timeout":"2s","selectorMatchRetries":1}}}
            """
        #expect(try await api.put("/api/pollingprofiles/current", profile).status == 200)
        for (id, trace, withSpecs) in [("stored", traceID, true), ("absent", unknown, false)] {
            try await api.create(
                "/api/tests",
                """
                {"type":"Test","spec":{"id":"\(id)","name":"\(id)","trigger":{"type":"traceid",\
                "traceid":{"id":"\(trace.hex)"}},"specs":\(withSpecs ? specs : "[]")}}
                """)
        }
        let found = try await api.runToEnd("stored")
        #expect(found["state"] as? String == "FINISHED", "\(name): \(found["lastErrorState"] ?? "")")
        #expect((found["result"] as? [String: Any])?["allPassed"] as? Bool == true, "\(name): \(found["result"] ?? "")")
        let missing = try await api.runToEnd("absent")
        #expect(missing["state"] as? String == "TRACE_FAILED", "\(name)")
        let reason = missing["lastErrorState"] as? String ?? ""
        #expect(reason.contains("was not found in \(name) within 2s"), "\(name): \(reason)")
    }

    @Test("OpenSearch and Elastic APM")
    func elastic() async throws {
        let traceID = TraceID.random()
        let (root, child) = (SpanID.random(), SpanID.random())
        let openSearch = HTTPStoreTests.openSearchDocuments(traceID, root: root, child: child)
        let apm = [
            """
            {"trace":{"id":"\(traceID.hex)"},"transaction":{"id":"\(root.hex)","name":"GET /pokemon","type":"request",
             "duration":{"us":250000}},"service":{"name":"pokeshop"},"@timestamp":"2026-12-06T10:00:00Z"}
            """,
            """
            {"trace":{"id":"\(traceID.hex)"},"span":{"id":"\(child.hex)","name":"SELECT pokemon","kind":"client",
             "duration":{"us":1000}},"parent":{"id":"\(root.hex)"},"service":{"name":"pokeshop"},
             "db":{"system":"postgresql"},"@timestamp":"2026-12-06T10:00:00.1Z"}
            """,
        ]
        for (type, name, documents) in [("opensearch", "OpenSearch", openSearch), ("elasticapm", "Elasticsearch", apm)]
        {
            let router = HTTPStoreTests.searchRouter(
                index: "traces", documents: { $0.contains(traceID.hex) ? documents : [] })
            try await withHTTPStandIn(router) { port in
                try await withTestServer(.sqlite) { api in
                    let store = """
                        {"name":"\(name)","type":"\(type)",\
                        "\(type)":{"addresses":["http://127.0.0.1:\(port)"],"index":"traces"}}
                        """
                    try await Self.run(api, store: store, name: name, traceID: traceID, unknown: .random())
                }
            }
        }
    }

    @Test("SignalFx, Sumo Logic and Azure Application Insights")
    func cloud() async throws {
        let traceID = CloudStoreTests.traceID
        let stores: [(Router<BasicRequestContext>, (Int) -> String, String)] = [
            (
                CloudStoreTests.signalFxRouter(token: "sfx"),
                {
                    #"{"name":"SignalFx","type":"signalfx","signalfx":{"url":"http://127.0.0.1:\#($0)","token":"sfx"}}"#
                },
                "SignalFx"
            ),
            (
                CloudStoreTests.sumoLogicRouter(rateLimited: false),
                {
                    #"{"name":"Sumo","type":"sumologic","sumologic":{"url":"http://127.0.0.1:\#($0)/api/","accessID":"id","accessKey":"key"}}"#
                },
                "Sumo Logic"
            ),
            (
                CloudStoreTests.azureRouter(),
                {
                    #"{"name":"AI","type":"azureappinsights","azureappinsights":{"connectionType":"direct","resourceArmId":"\#(CloudStoreTests.azureResource)","accessToken":"azure-token","url":"http://127.0.0.1:\#($0)"}}"#
                },
                "Azure Application Insights"
            ),
        ]
        for (router, store, name) in stores {
            try await withHTTPStandIn(router) { port in
                try await withTestServer(.sqlite) { api in
                    try await Self.run(api, store: store(port), name: name, traceID: traceID, unknown: .random())
                }
            }
        }
    }

    @Test("AWS X-Ray (moto's emulator)")
    func xray() async throws {
        try await CloudStoreTests.withMoto { _, port, keyID, secret in
            let epoch = UInt32(Date().timeIntervalSince1970)
            let traceID = TraceID.xray(epochSeconds: epoch)
            let (root, child) = (SpanID.random(), SpanID.random())
            let start = Double(epoch)
            let segment = """
                {"id":"\(root.hex)","trace_id":"\(AWSXRaySource.xrayID(traceID))","name":"pokeshop",\
                "start_time":\(start),"end_time":\(start + 0.25),"http":{"request":{"method":"GET"}},\
                "subsegments":[{"id":"\(child.hex)","name":"SELECT pokemon","namespace":"remote",\
                "start_time":\(start + 0.1),"end_time":\(start + 0.2),"sql":{"database_type":"postgresql"}}]}
                """
            try await CloudStoreTests.putSegment(segment, port: port, keyID: keyID, secret: secret)
            try await withTestServer(.sqlite) { api in
                let store = """
                    {"name":"X-Ray","type":"awsxray","awsxray":{"region":"us-east-1","accessKeyId":"\(keyID)",\
                    "secretAccessKey":"\(secret)","url":"http://127.0.0.1:\(port)"}}
                    """
                // X-Ray names a segment by its service: the root span is `pokeshop`.
                let specs = """
                    [{"selector":"span[name=\\"pokeshop\\"] span[name=\\"SELECT pokemon\\"]",\
                    "assertions":["attr:tracetest.span.type = \\"database\\"","attr:service.name = \\"pokeshop\\"",\
                    "attr:tracetest.selected_spans.count = 1"]}]
                    """
                try await Self.run(
                    api, store: store, name: "AWS X-Ray", traceID: traceID,
                    unknown: .xray(epochSeconds: epoch), specs: specs)
            }
        }
    }
}
