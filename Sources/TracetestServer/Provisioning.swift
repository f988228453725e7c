import Foundation
import TracetestLanguage
import TracetestModel
import TracetestStorage
import Yams

/// Resources applied once, when the server starts on a new installation: from `--provisioning-file` or the
/// base64 YAML in `TRACETEST_PROVISIONING`. Everything is checked before anything is written, and everything is
/// written in one transaction.
package struct Provisioning: Sendable {
    /// Where the documents came from, for messages.
    package let source: String
    let resources: [ProvisionedResource]

    package var count: Int { resources.count }

    /// Reads the provisioning documents: the file when given, else `TRACETEST_PROVISIONING`; nil when neither.
    package static func load(file: String?, environment: [String: String]) throws(ProvisioningError) -> Provisioning? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw ProvisioningError(
                    "cannot read provisioning file \(file): it does not exist or is not readable UTF-8 text")
            }
            return try parse(text, source: file)
        }
        guard let encoded = environment["TRACETEST_PROVISIONING"], !encoded.isEmpty else { return nil }
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)),
            let text = String(data: data, encoding: .utf8)
        else {
            throw ProvisioningError(
                "TRACETEST_PROVISIONING is not valid base64 of UTF-8 YAML (create it with: base64 -w0 provisioning.yaml)"
            )
        }
        return try parse(text, source: "TRACETEST_PROVISIONING")
    }

    /// Parses and validates a `---`-separated stream of `{type, spec}` documents.
    package static func parse(_ text: String, source: String) throws(ProvisioningError) -> Provisioning {
        let documents: [Node]
        do {
            documents = try WireDecoding.documents(text)
        } catch {
            throw ProvisioningError("\(source): \(error)")
        }
        var resources: [ProvisionedResource] = []
        for (index, node) in documents.enumerated() {
            let place = "\(source), document \(index + 1)"
            guard let typeNode = node.mapping?["type"], let type = typeNode.string else {
                throw ProvisioningError("\(place): missing `type` (one of: \(kindList))")
            }
            guard let kind = ResourceKind(typeName: type) else {
                let hint = ResourceKind(typeName: type, acceptingLegacyNames: true).map { " (write \($0.name))" } ?? ""
                throw ProvisioningError(
                    "\(place): type \"\(type)\" cannot be provisioned\(hint); use one of: \(kindList)")
            }
            do {
                resources.append(try ProvisionedResource(kind: kind, node: node))
            } catch let error as WireDecodingError {
                throw ProvisioningError("\(place) (\(kind.name)): \(error)")
            } catch let error as ValidationError {
                throw ProvisioningError("\(place) (\(kind.name)): \(error.message)")
            } catch {
                throw ProvisioningError("\(place) (\(kind.name)): \(error)")
            }
        }
        return Provisioning(source: source, resources: resources)
    }

    private static let kindList = ResourceKind.allCases.map(\.name).joined(separator: ", ")

    /// Writes every resource inside the open transaction `db`: singletons are replaced, the others created.
    /// A failure (a duplicate id within the file) names the source, the document and its kind.
    func apply(to store: Store, in db: any SQLExecutor, now: Timestamp) async throws {
        for (index, resource) in resources.enumerated() {
            do {
                try await resource.apply(to: store, in: db, now: now)
            } catch {
                throw ProvisioningError("\(source), document \(index + 1) (\(resource.kind.name)): \(error)")
            }
        }
    }
}

/// A provisioning file that cannot be applied; start-up stops with this message.
package struct ProvisioningError: Error, Sendable, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}

enum ProvisionedResource: Sendable {
    case test(Test)
    case testSuite(TestSuite)
    case variableSet(VariableSet)
    case demo(Demo)
    case dataStore(DataStore)
    case pollingProfile(PollingProfile)
    case config(Config)
    case analyzer(Analyzer)
    case testRunner(TestRunner)

    init(kind: ResourceKind, node: Node) throws {
        switch kind {
        case .test:
            let test = try Self.spec(Test.self, node)
            try TestSelectors.check(test)
            self = .test(test)
        case .testSuite: self = .testSuite(try Self.spec(TestSuite.self, node))
        case .variableSet: self = .variableSet(try Self.spec(VariableSet.self, node))
        case .demo: self = .demo(try Self.spec(Demo.self, node))
        case .dataStore: self = .dataStore(try Self.spec(DataStore.self, node))
        case .pollingProfile: self = .pollingProfile(try Self.spec(PollingProfile.self, node))
        case .config: self = .config(try Self.spec(Config.self, node))
        case .analyzer: self = .analyzer(try Self.spec(Analyzer.self, node))
        case .testRunner: self = .testRunner(try Self.spec(TestRunner.self, node))
        }
    }

    var kind: ResourceKind {
        switch self {
        case .test: .test
        case .testSuite: .testSuite
        case .variableSet: .variableSet
        case .demo: .demo
        case .dataStore: .dataStore
        case .pollingProfile: .pollingProfile
        case .config: .config
        case .analyzer: .analyzer
        case .testRunner: .testRunner
        }
    }

    func apply(to store: Store, in db: any SQLExecutor, now: Timestamp) async throws {
        switch self {
        case .test(let test): _ = try await TestRepository.create(test, now: now, in: db)
        case .testSuite(let suite): _ = try await TestSuiteRepository.create(suite, now: now, in: db)
        case .variableSet(let set): _ = try await VariableSetRepository.create(set, now: now, in: db)
        case .demo(let demo): _ = try await DemoRepository.create(demo, now: now, in: db)
        case .dataStore(let dataStore): _ = try await store.dataStores.replace(dataStore, now: now, in: db)
        case .pollingProfile(let profile): _ = try await store.pollingProfiles.replace(profile, now: now, in: db)
        case .config(let config): _ = try await store.configs.replace(config, now: now, in: db)
        case .analyzer(let analyzer): _ = try await store.analyzers.replace(analyzer, now: now, in: db)
        case .testRunner(let runner): _ = try await store.testRunners.replace(runner, now: now, in: db)
        }
    }

    /// The decoded, validated spec, with a generated id when it has none.
    private static func spec<Spec: ResourceSpec>(_ type: Spec.Type, _ node: Node) throws -> Spec {
        try ResourceKeys.check(node, kind: Spec.kind)
        var spec = try WireDecoding.decode(Resource<Spec>.self, from: node).spec
        if spec.id.isEmpty { spec.id = ShortID.make() }
        try spec.validate()
        return spec
    }
}
