import Hummingbird
import TracetestModel
import TracetestStorage

/// Older versions and definitions: `GET /api/tests/{id}/version/{v}`, `GET /api/tests/{id}/definition` (OpenAPI
/// form) and `GET /api/testsuites/{id}/version/{v}` (the raw suite, JSON or YAML).
struct VersionRoutes {
    let store: Store

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("tests/:testId/version/:version") { _, context in
            let id = try context.parameters.require("testId")
            let version = try Self.version(context)
            guard var test = try await store.tests.get(id, version: version) else {
                throw APIError(.notFound, "test \(id) has no version \(version)")
            }
            test.summary = try await store.tests.summaries([id])[id]
            return OpenAPIResponse.json(OpenAPIForm.test(test))
        }
        api.get("tests/:testId/definition") { _, context in
            let id = try context.parameters.require("testId")
            guard let test = try await store.tests.get(id) else {
                throw APIError(.notFound, "test \(id) not found")
            }
            return OpenAPIResponse.json(.array(test.specs.map(OpenAPIForm.spec)))
        }
        api.get("testsuites/:testSuiteId/version/:version") { request, context in
            let id = try context.parameters.require("testSuiteId")
            let version = try Self.version(context)
            guard let suite = try await store.testSuites.get(id, version: version) else {
                throw APIError(.notFound, "test suite \(id) has no version \(version)")
            }
            let presented = try await TestSuiteHandler(store: store).present([suite], augmented: true)
            return try WireFormat.ofResponse(request).response(presented[0])
        }
    }

    /// The `{version}` path parameter, a 32-bit integer.
    static func version(_ context: BasicRequestContext) throws -> Int {
        let text = try context.parameters.require("version")
        guard let version = Int32(text) else {
            throw APIError.badRequest("version must be a whole number, got \"\(text)\"")
        }
        return Int(version)
    }
}
