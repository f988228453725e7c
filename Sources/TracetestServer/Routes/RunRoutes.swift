import HTTPTypes
import Hummingbird
import TracetestEngine
import TracetestLanguage
import TracetestModel
import TracetestStorage

/// Test runs (api-resources.md §3.1): start, list, read, delete, rerun, stop, skip polling, events, JUnit, and
/// the tools that read a run's trace (select, search, dry run, export).
struct RunRoutes {
    let store: Store
    let engine: RunEngine

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("tests/:testId/run") { request, context in
            await openAPI {
                let information = try await request.decodeBody(RunInformation.self, format: .json)
                return try run(try await engine.runTest(try context.parameters.require("testId"), information))
            }
        }
        api.get("tests/:testId/run") { request, context in
            await openAPI {
                let testID = try context.parameters.require("testId")
                guard try await store.tests.get(testID) != nil else { throw RunRequestError.testNotFound(testID) }
                let query = try request.listQuery(sortFields: [])
                let page = try await store.runs.list(testID: testID, take: query.take, skip: query.skip)
                return OpenAPIResponse.json(
                    .array(try page.items.map { try WireEncoder().encode($0) }),
                    headers: [HTTPField.Name("X-Total-Count")!: String(page.count)])
            }
        }
        api.get("tests/:testId/run/:runId") { _, context in
            await openAPI {
                var found = try await runAndTrace(context)
                found.run.trace = found.trace.map { .raw(TraceDocument.json($0)) }
                return try run(found.run)
            }
        }
        api.delete("tests/:testId/run/:runId") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                guard try await store.runs.delete(testID: testID, runID: runID) else {
                    throw RunRequestError.runNotFound(testID: testID, runID: runID)
                }
                return Response(status: .noContent)
            }
        }
        api.post("tests/:testId/run/:runId/rerun") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                return try run(try await engine.rerun(testID: testID, runID: runID))
            }
        }
        api.post("tests/:testId/run/:runId/stop") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                await engine.stop(testID: testID, runID: runID)
                return OpenAPIResponse.json(.object(["result": "success"]))
            }
        }
        api.post("tests/:testId/run/:runId/skipPolling") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                await engine.skipPolling(testID: testID, runID: runID)
                return OpenAPIResponse.json(.object(["result": "success"]))
            }
        }
        api.get("tests/:testId/run/:runId/events") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                return try OpenAPIResponse.json(try await store.runs.events(testID: testID, runID: runID))
            }
        }
        api.get("tests/:testId/run/:runId/junit.xml") { _, context in
            await openAPI {
                let (testID, runID) = try ids(context)
                guard let found = try await store.runs.get(testID: testID, runID: runID) else {
                    throw RunRequestError.runNotFound(testID: testID, runID: runID)
                }
                guard let report = found.junitReport else {
                    throw APIError(
                        .unprocessableContent, "run \(runID) has no results yet (state \(found.state.rawValue))")
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/xml; charset=UTF-8"],
                    body: .init(byteBuffer: ByteBuffer(string: report)))
            }
        }
        api.get("tests/:testId/run/:runId/select") { request, context in
            await openAPI {
                let (_, trace) = try await traceOf(context)
                let query = request.uri.queryParameters.get("query") ?? ""
                let selector = try parseSelector(query)
                let index = TraceIndex(trace)
                return OpenAPIResponse.json(
                    .object([
                        "selector": SelectorStructure.wire(query),
                        "spanIds": .array(selector.select(in: index).map { .string(trace.spans[$0].id.hex) }),
                    ]))
            }
        }
        api.post("tests/:testId/run/:runId/search-spans") { request, context in
            await openAPI {
                let body = try await request.decodeBody(SpanSearch.self, format: .json)
                guard !body.query.isEmpty else { throw APIError.badRequest("query is empty") }
                let (_, trace) = try await traceOf(context)
                return OpenAPIResponse.json(
                    .object(["spansIds": .array(SpanSearch.search(body.query, in: trace).map { .string($0.hex) })]))
            }
        }
        api.put("tests/:testId/run/:runId/dry-run") { request, context in
            await openAPI {
                let body = try await request.decodeBody(DryRun.self, format: .json)
                let (found, trace) = try await traceOf(context)
                return try OpenAPIResponse.json(
                    DryRun.evaluate(body.specs, on: trace, variables: found.variableSet.lookup))
            }
        }
        api.get("tests/:testId/run/:runId/export") { _, context in
            await openAPI {
                var found = try await runAndTrace(context)
                guard let test = try await store.tests.get(found.run.testID, version: found.run.testVersion) else {
                    throw RunRequestError.testNotFound(found.run.testID)
                }
                found.run.trace = found.trace.map { .raw(TraceDocument.json($0)) }
                return OpenAPIResponse.json(
                    .object(["test": OpenAPIForm.test(test), "run": try WireEncoder().encode(found.run)]))
            }
        }
    }

    private func run(_ run: TestRun) throws -> Response {
        try OpenAPIResponse.json(run)
    }

    private func ids(_ context: BasicRequestContext) throws -> (String, Int) {
        let testID = try context.parameters.require("testId")
        let text = try context.parameters.require("runId")
        guard let runID = Int32(text) else {
            throw APIError.badRequest("runId must be a whole number, got \"\(text)\"")
        }
        return (testID, Int(runID))
    }

    private func runAndTrace(_ context: BasicRequestContext) async throws -> (run: TestRun, trace: Trace?) {
        let (testID, runID) = try ids(context)
        return try await store.runAndTrace(testID: testID, runID: runID)
    }

    private func traceOf(_ context: BasicRequestContext) async throws -> (run: TestRun, trace: Trace) {
        let (testID, runID) = try ids(context)
        return try await store.runWithTrace(testID: testID, runID: runID)
    }

    private func parseSelector(_ query: String) throws -> Selector {
        do {
            return try Selector.cached(query)
        } catch {
            throw APIError.badRequest("\(error)\n\(error.excerpt)")
        }
    }
}
