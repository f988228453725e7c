import Foundation
import ServerTestSupport
import TestSupport
import Testing
import TracetestModel

@Suite("OTLP receiver: conversion")
struct OTLPConversionTests {
    @Test(
        "scope name as service.name, every span kind, UNSET and OK statuses, metadata, NaN and infinities",
        arguments: ["grpc", "http-protobuf", "http-json"])
    func conversion(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            var root = otlpSpan(
                traceID, 0xA1, name: "root", kind: .unspecified,
                attributes: [
                    keyValue("service.name", .string("from the span")),
                    keyValue("nan", .double(.nan)),
                    keyValue("inf", .double(.infinity)),
                    keyValue("ninf", .double(-.infinity)),
                    keyValue("doubles", .array([.double(.nan), .double(-.infinity), .double(0.5)])),
                    keyValue("indexed", .strindex(3)),
                    keyValue("indexes", .array([.strindex(1), .string("s")])),
                ])
            root.status.code = .ok
            root.status.message = "fine"
            var unset = otlpSpan(traceID, 0xA2, name: "unset", parent: 0xA1, kind: .internal)
            unset.status.code = .unset
            let consumer = otlpSpan(traceID, 0xA3, name: "consume", parent: 0xA1, kind: .consumer)
            let unnamed = otlpSpan(traceID, 0xA4, name: "unnamed scope", parent: 0xA1, kind: .server)
            let request = exportRequest(
                resource: ["resource.only": "r"],
                [
                    scopeSpans("inventory.scope", attributes: [keyValue("scope.only", .string("s"))], [root, unset]),
                    scopeSpans("queue.scope", [consumer]),
                    scopeSpans("", [unnamed]),
                ])
            let answer = try await send(request, api, transport)
            #expect(succeeded(answer), "\(answer)")

            let stored = try await api.spans!.spans(of: traceID)
            #expect(stored.count == 4)
            #expect(stored.allSatisfy { !$0.hasTracetestMetadata }, "stored as received; assembly adds the metadata")
            let assembled = Trace(traceID: traceID, spans: stored).spans
            let byName = Dictionary(uniqueKeysWithValues: assembled.map { ($0.name, $0) })
            let first = try #require(byName["root"])
            #expect(first.kind == .unspecified && first.kind.rawValue == "unespecified")
            #expect(first.attributes["service.name"] == "inventory.scope", "no resource service.name: the scope name")
            #expect(first.attributes["scope.only"] == "s" && first.attributes["resource.only"] == "r")
            #expect(first.attributes["nan"] == "NaN")
            #expect(first.attributes["inf"] == "+Inf")
            #expect(first.attributes["ninf"] == "-Inf")
            #expect(first.attributes["doubles"] == #"["NaN","-Inf",0.5]"#)
            #expect(first.attributes["indexed"] == "", "a profiles string-table index has no text in traces")
            #expect(first.attributes["indexes"] == #"[null,"s"]"#)
            #expect(first.status == SpanStatus(code: "STATUS_CODE_OK", message: "fine"))
            #expect(first.attributes["tracetest.span.status_code"] == "STATUS_CODE_OK")
            #expect(first.attributes["tracetest.span.status_description"] == "fine")
            #expect(first.attributes["tracetest.span.name"] == "root")
            #expect(first.attributes["tracetest.span.start_time"] == "1700000000000000000")
            #expect(first.attributes["tracetest.span.end_time"] == "1700000000250000000")
            #expect(first.attributes["tracetest.span.duration"] == "250000000")
            #expect(first.attributes["tracetest.span.parent_id"] == "0000000000000000")

            let second = try #require(byName["unset"])
            #expect(second.kind == .internal && second.parentID == first.id)
            #expect(second.attributes["service.name"] == "inventory.scope")
            #expect(second.attributes["tracetest.span.status_code"] == "STATUS_CODE_UNSET")
            #expect(second.attributes["tracetest.span.status_description"] == nil, "an empty message is not set")
            #expect(second.attributes["tracetest.span.parent_id"] == first.id.hex)

            let third = try #require(byName["consume"])
            #expect(third.kind == .consumer && third.attributes["service.name"] == "queue.scope")
            #expect(third.status == nil && third.attributes["tracetest.span.status_code"] == nil)
            #expect(try #require(byName["unnamed scope"]).attributes["service.name"] == nil)
        }
    }

    @Test("a resource service.name wins over the scope name", arguments: ["grpc", "http-json"])
    func resourceServiceName(transport: String) async throws {
        try await withTestServer(.sqlite) { api in
            let traceID = TraceID.random()
            let request = exportRequest(
                resource: ["service.name": "checkout"],
                [scopeSpans("inventory.scope", [otlpSpan(traceID, 0xA1, name: "only", kind: .producer)])])
            #expect(succeeded(try await send(request, api, transport)))
            let span = try #require(try await api.spans!.spans(of: traceID).first)
            #expect(span.attributes["service.name"] == "checkout" && span.kind == .producer)
        }
    }
}
