/// The nine resource kinds of Tracetest Core, with their names on the wire.
package enum ResourceKind: String, Sendable, CaseIterable, Hashable {
    case test = "Test"
    case testSuite = "TestSuite"
    case variableSet = "VariableSet"
    case dataStore = "DataStore"
    case pollingProfile = "PollingProfile"
    case config = "Config"
    case demo = "Demo"
    case analyzer = "Analyzer"
    case testRunner = "TestRunner"

    /// The canonical `type` of the envelope, e.g. `TestSuite`.
    package var name: String { rawValue }

    /// The path segment under `/api`, e.g. `testsuites`.
    package var plural: String {
        switch self {
        case .test: "tests"
        case .testSuite: "testsuites"
        case .variableSet: "variablesets"
        case .dataStore: "datastores"
        case .pollingProfile: "pollingprofiles"
        case .config: "configs"
        case .demo: "demos"
        case .analyzer: "analyzers"
        case .testRunner: "testrunners"
        }
    }

    /// Kinds with exactly one record, always with id `current`.
    package var isSingleton: Bool {
        switch self {
        case .dataStore, .pollingProfile, .config, .analyzer, .testRunner: true
        case .test, .testSuite, .variableSet, .demo: false
        }
    }

    /// Whether `DELETE` is allowed (singletons answer 405).
    package var supportsDelete: Bool { !isSingleton }

    /// Whether `X-Tracetest-Augmented: true` adds read-only fields.
    package var supportsAugmentation: Bool { self == .test || self == .testSuite }

    /// The values `sortBy` accepts for lists of this kind.
    package var sortFields: [String] {
        switch self {
        case .test: ["created", "name", "last_run"]
        case .testSuite: ["name", "created", "last_run"]
        case .variableSet: ["name", "created", "createdAt"]
        case .demo: ["id", "name", "type"]
        case .dataStore, .pollingProfile, .config, .analyzer, .testRunner: ["name"]
        }
    }

    /// The kind for a `type` value, accepting the legacy names `Transaction` and `Environment` when asked to.
    package init?(typeName: String, acceptingLegacyNames: Bool = false) {
        if let kind = ResourceKind(rawValue: typeName) {
            self = kind
            return
        }
        guard acceptingLegacyNames else { return nil }
        switch typeName {
        case "Transaction": self = .testSuite
        case "Environment": self = .variableSet
        default: return nil
        }
    }

    /// The id every singleton record has.
    package static let singletonID = "current"
}
