import HTTPTypes
import Hummingbird
import TracetestEngine
import TracetestModel

/// Test runs (api-resources.md §3.1): start, list, read, delete, rerun, stop, skip polling, events, JUnit, the
/// tools that read a run's trace (select, search, dry run, export), import and the legacy update, each a thin
/// adapter of the engine.
struct RunRoutes {
    let engine: RunEngine

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("tests/:testId/run") { request, context in
            let information = try await request.decodeBody(RunInformation.self, format: .json)
            return try OpenAPIResponse.json(
                try await engine.runTest(try context.parameters.require("testId"), information))
        }
        api.get("tests/:testId/run") { request, context in
            let query = try request.listQuery(sortFields: [])
            let page = try await engine.runs(
                testID: try context.parameters.require("testId"), take: query.take, skip: query.skip)
            return try OpenAPIResponse.json(page.items, headers: [.totalCount: String(page.count)])
        }
        api.get("tests/:testId/run/:runId") { request, context in
            let (testID, runID) = try ids(context)
            let includingTrace = request.uri.queryParameters.get("trace") != "false"
            return OpenAPIResponse.json(
                try await engine.run(testID: testID, runID: runID, includingTrace: includingTrace))
        }
        // For the web UI: a trace's outline and one span at a time (a full run of 100,000 spans is ~200 MB).
        api.get("tests/:testId/run/:runId/trace/outline") { _, context in
            let (testID, runID) = try ids(context)
            return OpenAPIResponse.json(.raw(try await engine.traceOutline(testID: testID, runID: runID)))
        }
        api.get("tests/:testId/run/:runId/trace/span/:spanId") { _, context in
            let (testID, runID) = try ids(context)
            let span = try await engine.traceSpan(
                testID: testID, runID: runID, spanID: try context.parameters.require("spanId"))
            return OpenAPIResponse.json(.raw(span))
        }
        api.delete("tests/:testId/run/:runId") { _, context in
            let (testID, runID) = try ids(context)
            try await engine.deleteRun(testID: testID, runID: runID)
            return Response(status: .noContent)
        }
        api.post("tests/:testId/run/:runId/rerun") { _, context in
            let (testID, runID) = try ids(context)
            return try OpenAPIResponse.json(try await engine.rerun(testID: testID, runID: runID))
        }
        api.post("tests/:testId/run/:runId/stop") { _, context in
            let (testID, runID) = try ids(context)
            engine.stop(testID: testID, runID: runID)
            return OpenAPIResponse.json(.object(["result": "success"]))
        }
        api.post("tests/:testId/run/:runId/skipPolling") { _, context in
            let (testID, runID) = try ids(context)
            engine.skipPolling(testID: testID, runID: runID)
            return OpenAPIResponse.json(.object(["result": "success"]))
        }
        api.get("tests/:testId/run/:runId/events") { _, context in
            let (testID, runID) = try ids(context)
            return try OpenAPIResponse.json(try await engine.events(testID: testID, runID: runID))
        }
        api.get("tests/:testId/run/:runId/junit.xml") { _, context in
            let (testID, runID) = try ids(context)
            let report = try await engine.junitReport(testID: testID, runID: runID)
            return Response(
                status: .ok, headers: [.contentType: "application/xml; charset=UTF-8"],
                body: .init(byteBuffer: ByteBuffer(string: report)))
        }
        api.get("tests/:testId/run/:runId/select") { request, context in
            let (testID, runID) = try ids(context)
            let query = request.uri.queryParameters.get("query") ?? ""
            return OpenAPIResponse.json(try await engine.select(testID: testID, runID: runID, query: query))
        }
        api.post("tests/:testId/run/:runId/search-spans") { request, context in
            let search = try await request.decodeBody(SpanSearch.self, format: .json)
            let (testID, runID) = try ids(context)
            let found = try await engine.searchSpans(testID: testID, runID: runID, search)
            return OpenAPIResponse.json(.object(["spansIds": .array(found.map { .string($0.hex) })]))
        }
        api.put("tests/:testId/run/:runId/dry-run") { request, context in
            let dryRun = try await request.decodeBody(DryRun.self, format: .json)
            let (testID, runID) = try ids(context)
            return OpenAPIResponse.json(try await engine.dryRun(testID: testID, runID: runID, dryRun))
        }
        api.get("tests/:testId/run/:runId/export") { _, context in
            let (testID, runID) = try ids(context)
            return OpenAPIResponse.json(try await engine.export(testID: testID, runID: runID))
        }
        // `tests/import` as a path of its own would hide the resource routes of a test whose id is "import" (the
        // router does not fall back to the `:testId` routes for other methods), so the import is this POST.
        api.post("tests/:testId") { request, context in
            guard context.parameters.get("testId") == "import" else { throw HTTPError(.notFound) }
            let body = try await request.decodeBody(ExportedRun.self, format: .json)
            return OpenAPIResponse.json(try await engine.importRun(body))
        }
        api.patch("tests/:testId/run/:runId") { request, context in
            let (testID, runID) = try ids(context)
            let patch = try await request.decodeBody(RunPatch.self, format: .json)
            return OpenAPIResponse.json(try await engine.patchRun(testID: testID, runID: runID, patch))
        }
        api.post("expressions/resolve") { request, _ in
            let body = try await request.decodeBody(ResolveRequest.self, format: .json)
            let values = try await engine.resolve(body)
            return OpenAPIResponse.json(.object(["resolvedValues": .array(values.map(WireValue.string))]))
        }
        api.post("testsuites/:testSuiteId/run") { request, context in
            let information = try await request.decodeBody(RunInformation.self, format: .json)
            return try OpenAPIResponse.json(
                try await engine.runSuite(try context.parameters.require("testSuiteId"), information))
        }
        api.get("testsuites/:testSuiteId/run") { request, context in
            let query = try request.listQuery(sortFields: [])
            let page = try await engine.suiteRuns(
                testSuiteID: try context.parameters.require("testSuiteId"), take: query.take, skip: query.skip)
            return try OpenAPIResponse.json(page.items, headers: [.totalCount: String(page.count)])
        }
        api.get("testsuites/:testSuiteId/run/:runId") { _, context in
            let (suiteID, runID) = try ids(context, "testSuiteId")
            return try OpenAPIResponse.json(try await engine.suiteRun(testSuiteID: suiteID, runID: runID))
        }
        api.delete("testsuites/:testSuiteId/run/:runId") { _, context in
            let (suiteID, runID) = try ids(context, "testSuiteId")
            try await engine.deleteSuiteRun(testSuiteID: suiteID, runID: runID)
            return Response(status: .noContent)
        }
    }

    /// The route's owner id (`testId` or `testSuiteId`) and run number.
    private func ids(_ context: BasicRequestContext, _ owner: String = "testId") throws -> (String, Int) {
        let id = try context.parameters.require(owner)
        let text = try context.parameters.require("runId")
        guard let runID = Int32(text) else {
            throw APIError.badRequest("runId must be a whole number, got \"\(text)\"")
        }
        return (id, Int(runID))
    }
}

extension HTTPField.Name {
    /// The total number of items of a paged list.
    static let totalCount = HTTPField.Name("X-Total-Count")!
}
