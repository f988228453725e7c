import HTTPTypes
import Hummingbird
import TracetestModel
import TracetestStorage

/// `GET /api/version.{ext}`, `GET /api/resources`, `GET|PUT /api/wizard`, and the cloud-only routes (402).
struct InfoRoutes {
    let store: Store

    func register(on api: RouterGroup<BasicRequestContext>) {
        api.get("version.{fileExtension}") { _, _ in
            OpenAPIResponse.json(.object(["version": .string(TracetestVersion.current), "type": "oss"]))
        }
        api.get("resources") { request, _ in
            try await resources(request)
        }
        api.get("wizard") { _, _ in
            try OpenAPIResponse.json(try await store.wizard.get())
        }
        api.put("wizard") { request, _ in
            let wizard = try await request.decodeBody(Wizard.self, format: .json)
            try wizard.validate()
            return try OpenAPIResponse.json(try await store.wizard.save(wizard))
        }
        for (path, methods) in Self.cloudOnlyRoutes {
            for method in methods {
                api.on(RouterPath(path), method: method) { _, _ in
                    OpenAPIResponse.json(.null, status: .init(code: 402))
                }
            }
        }
    }

    /// Tests and suites in one list, newest first (or by name), each as `{type, item}` with augmented fields.
    private func resources(_ request: Request) async throws -> Response {
        let query = try request.listQuery(sortFields: ["created", "name", "last_run"])
        var window = query
        window.take = query.skip + query.take
        window.skip = 0
        async let tests = store.tests.list(window)
        async let suites = store.testSuites.list(window)
        let (testPage, suitePage) = try await (tests, suites)
        let presentedTests = try await TestHandler(store: store).present(testPage.items, augmented: true)
        let presentedSuites = try await TestSuiteHandler(store: store).present(suitePage.items, augmented: true)
        var entries: [(key: ResourceOrderKey, value: WireValue)] = []
        let encoder = WireEncoder()
        for test in presentedTests {
            entries.append(
                (
                    ResourceOrderKey(test.name, test.createdAt),
                    .object(["type": "test", "item": try encoder.encode(test)])
                ))
        }
        for suite in presentedSuites {
            entries.append(
                (
                    ResourceOrderKey(suite.name, suite.createdAt),
                    .object(["type": "testsuite", "item": try encoder.encode(suite)])
                )
            )
        }
        let byName = query.sortBy == "name"
        entries.sort { lhs, rhs in
            let ordered = byName ? lhs.key.name < rhs.key.name : lhs.key.createdAt < rhs.key.createdAt
            let reversed = byName ? rhs.key.name < lhs.key.name : rhs.key.createdAt < lhs.key.createdAt
            return query.ascending ? ordered : reversed
        }
        let page = entries.dropFirst(query.skip).prefix(query.take).map(\.value)
        return OpenAPIResponse.json(
            .array(Array(page)),
            headers: [.totalCount: String(testPage.count + suitePage.count)]
        )
    }

    /// Cloud-only operations that Tracetest Core answers with 402 and a `null` body.
    static let cloudOnlyRoutes: [(String, [HTTPRequest.Method])] = [
        ("environments", [.get, .post, .put]), ("environments/:environmentID", [.get, .put, .delete]),
        ("invites", [.get, .post, .put]), ("invites/:inviteID", [.get, .put, .delete]),
        ("tokens", [.get, .post, .put]), ("tokens/:tokenID", [.put, .delete]),
        ("rungroups", [.get, .post]), ("rungroups/:runGroupId", [.get]),
        ("monitors/:monitorId/run", [.get, .post]), ("monitors/:monitorId/run/:runId", [.get, .delete]),
        ("monitors/:monitorId/version/:version", [.get]), ("monitors/alerts", [.post]),
    ]
}

private struct ResourceOrderKey {
    var name: String
    var createdAt: Timestamp

    init(_ name: String, _ createdAt: Timestamp?) {
        self.name = name
        self.createdAt = createdAt ?? .zero
    }
}
