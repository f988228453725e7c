import Hummingbird
import Logging
import TracetestModel
import TracetestStorage

/// The resource-manager routes of one kind under `/api/<plural>`: list, create, upsert, get, update, delete,
/// in JSON or YAML, with `{code, error}` errors and empty-bodied 404s.
struct ResourceRoutes<Handler: ResourceHandler> {
    typealias Spec = Handler.Spec
    let handler: Handler

    /// The path parameter of the record's id; tests and suites use the names their run routes share at that level.
    static var idParameter: String {
        switch Spec.kind {
        case .test: "testId"
        case .testSuite: "testSuiteId"
        default: "id"
        }
    }

    func register(on api: RouterGroup<BasicRequestContext>) {
        let kind = Spec.kind
        let item = RouterPath(kind.plural + "/:" + Self.idParameter)
        api.get(RouterPath(kind.plural)) { request, _ in
            let format = WireFormat.ofResponse(request)
            let page = try await handler.list(
                try request.listQuery(sortFields: kind.sortFields),
                augmented: augmented(request)
            )
            return try format.response(ResourceList(count: page.count, items: page.items.map(Resource.init)))
        }
        api.post(RouterPath(kind.plural)) { request, context in
            let format = WireFormat.ofResponse(request)
            var spec = try await decodeSpec(request)
            if spec.id.isEmpty { spec.id = ShortID.make() }
            try validate(spec)
            return try format.response(Resource(try await handler.create(spec)), status: .created)
        }
        api.put(RouterPath(kind.plural)) { request, context in
            let format = WireFormat.ofResponse(request)
            var spec = try await decodeSpec(request)
            let hadID = !spec.id.isEmpty
            if !hadID { spec.id = ShortID.make() }
            try validate(spec)
            let (stored, created) = try await upsert(spec, hadID: hadID)
            return try format.response(Resource(stored), status: created ? .created : .ok)
        }
        api.get(item) { request, context in
            let format = WireFormat.ofResponse(request)
            guard let spec = try await handler.get(try id(context), augmented: augmented(request)) else {
                throw APIError.notFound()
            }
            return try format.response(Resource(spec))
        }
        api.put(item) { request, context in
            let format = WireFormat.ofResponse(request)
            var spec = try await decodeSpec(request)
            let urlID = try id(context)
            if !spec.id.isEmpty, spec.id != urlID {
                throw APIError.badRequest(
                    "ID '\(spec.id)' defined in resource spec does not match ID '\(urlID)' from URL"
                )
            }
            spec.id = urlID
            try validate(spec)
            guard let stored = try await handler.update(spec) else { throw APIError.notFound() }
            return try format.response(Resource(stored))
        }
        api.delete(item) { _, context in
            guard try await handler.delete(try id(context)) else { throw APIError.notFound() }
            return Response(status: .noContent)
        }
    }

    /// Singletons answer 201 without an id and 200 with one; other kinds by whether the record existed.
    private func upsert(_ spec: Spec, hadID: Bool) async throws -> (Spec, Bool) {
        let (stored, created) = try await handler.upsert(spec)
        return (stored, Spec.kind.isSingleton ? !hadID : created)
    }

    private func augmented(_ request: Request) -> Bool {
        Spec.kind.supportsAugmentation && request.isAugmented
    }

    private func id(_ context: BasicRequestContext) throws -> String {
        try context.parameters.require(Self.idParameter)
    }

    private func decodeSpec(_ request: Request) async throws -> Spec {
        let document = try await request.bodyDocument(format: .ofRequest(request))
        try ResourceKeys.check(document, kind: Spec.kind)
        return try WireDecoding.decode(Resource<Spec>.self, from: document).spec
    }

    /// A failure is `an error occurred while validating the resource: <id>. error: <why>` (api-resources.md §1.5);
    /// a singleton is named by the id it is saved under, `current`.
    private func validate(_ spec: Spec) throws {
        do {
            try spec.validate()
            try handler.check(spec)
        } catch {
            let id = Spec.kind.isSingleton ? ResourceKind.singletonID : spec.id
            throw APIError.badRequest("an error occurred while validating the resource: \(id). error: \(error.message)")
        }
    }
}
