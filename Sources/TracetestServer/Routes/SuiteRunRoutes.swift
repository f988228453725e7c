import HTTPTypes
import Hummingbird
import TracetestEngine
import TracetestModel
import TracetestStorage

/// Test suite runs (api-resources.md §3.2): start, list (newest first, default take 20), read, delete.
struct SuiteRunRoutes {
    let store: Store
    let engine: RunEngine

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.post("testsuites/:testSuiteId/run") { request, context in
            await openAPI {
                let information = try await request.decodeBody(RunInformation.self, format: .json)
                return try OpenAPIResponse.json(
                    try await engine.runSuite(try context.parameters.require("testSuiteId"), information))
            }
        }
        api.get("testsuites/:testSuiteId/run") { request, context in
            await openAPI {
                let suiteID = try context.parameters.require("testSuiteId")
                guard try await store.testSuites.get(suiteID) != nil else {
                    throw RunRequestError.testSuiteNotFound(suiteID)
                }
                let query = try request.listQuery(sortFields: [])
                let page = try await store.suiteRuns.list(testSuiteID: suiteID, take: query.take, skip: query.skip)
                var runs: [TestSuiteRun] = []
                for run in page.items {
                    if let filled = try await engine.suiteRun(testSuiteID: suiteID, runID: run.id) {
                        runs.append(filled)
                    }
                }
                return try OpenAPIResponse.json(runs, headers: [HTTPField.Name("X-Total-Count")!: String(page.count)])
            }
        }
        api.get("testsuites/:testSuiteId/run/:runId") { _, context in
            await openAPI {
                let (suiteID, runID) = try ids(context)
                guard let run = try await engine.suiteRun(testSuiteID: suiteID, runID: runID) else {
                    throw APIError(.notFound, "run \(runID) of test suite \(suiteID) not found")
                }
                return try OpenAPIResponse.json(run)
            }
        }
        api.delete("testsuites/:testSuiteId/run/:runId") { _, context in
            await openAPI {
                let (suiteID, runID) = try ids(context)
                guard try await store.suiteRuns.delete(testSuiteID: suiteID, runID: runID) else {
                    throw APIError(.notFound, "run \(runID) of test suite \(suiteID) not found")
                }
                return Response(status: .noContent)
            }
        }
    }

    private func ids(_ context: BasicRequestContext) throws -> (String, Int) {
        let suiteID = try context.parameters.require("testSuiteId")
        let text = try context.parameters.require("runId")
        guard let runID = Int32(text) else {
            throw APIError.badRequest("runId must be a whole number, got \"\(text)\"")
        }
        return (suiteID, Int(runID))
    }
}
