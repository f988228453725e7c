import Foundation
import TracetestModel

/// A resource the commands `apply`, `get`, `list`, `delete` and `export` work on (cli.md §1.1).
struct ResourceType: Sendable {
    /// The name on the command line, e.g. `testsuite`.
    let name: String
    let kind: ResourceKind
    /// The table shown by `-o pretty`.
    let columns: [Column]

    struct Column: Sendable {
        let header: String
        /// The cell text (possibly several lines) for one item's `spec`, given the UI base URL if there is one.
        let cell: @Sendable (_ spec: WireValue, _ ui: String?) -> String
    }

    var plural: String { kind.plural }
    /// The `type:` a file must declare.
    var typeName: String { kind.name }
    /// A legacy `type:` accepted and rewritten on apply.
    var legacyTypeName: String? {
        switch kind {
        case .testSuite: "Transaction"
        case .variableSet: "Environment"
        default: nil
        }
    }
    /// `Testsuite`: the name as the success messages show it.
    var title: String { name.prefix(1).uppercased() + name.dropFirst() }
}

/// The resources this CLI knows, their aliases, and the lookup with "did you mean".
enum ResourceCatalog {
    static let all: [ResourceType] = [
        ResourceType(
            name: "analyzer", kind: .analyzer,
            columns: [
                .field("ID", "id"), .field("NAME", "name"), .field("ENABLED", "enabled"),
                .field("MINIMUM SCORE", "minimumScore"),
                .init(header: "PLUGINS") { spec, _ in String(spec["plugins"]?.arrayValue?.count ?? 0) },
            ]),
        ResourceType(
            name: "config", kind: .config,
            columns: [.field("ID", "id"), .field("NAME", "name"), .field("ANALYTICS ENABLED", "analyticsEnabled")]),
        ResourceType(
            name: "datastore", kind: .dataStore,
            columns: [
                .field("ID", "id"), .field("NAME", "name"),
                .init(header: "DEFAULT") { spec, _ in spec["default"]?.boolValue == true ? "*" : "" },
            ]),
        ResourceType(
            name: "demo", kind: .demo,
            columns: [.field("ID", "id"), .field("NAME", "name"), .field("TYPE", "type"), .field("ENABLED", "enabled")]
        ),
        ResourceType(
            name: "pollingprofile", kind: .pollingProfile,
            columns: [.field("ID", "id"), .field("NAME", "name"), .field("STRATEGY", "strategy")]),
        ResourceType(
            name: "test", kind: .test,
            columns: [
                .field("ID", "id"), .field("NAME", "name"), .field("VERSION", "version"),
                .field("TRIGGER TYPE", "trigger.type"), .field("RUNS", "summary.runs"),
                .date("LAST RUN TIME", "summary.lastRun.time"), .field("LAST RUN SUCCESSES", "summary.lastRun.passes"),
                .field("LAST RUN FAILURES", "summary.lastRun.fails"),
                .init(header: "URL") { spec, ui in ui.map { "\($0)/test/\(spec["id"]?.cellText ?? "")" } ?? "" },
            ]),
        ResourceType(
            name: "testrunner", kind: .testRunner,
            columns: [
                .field("ID", "id"), .field("NAME", "name"),
                .init(header: "REQUIRED GATES") { spec, _ in
                    (spec["requiredGates"]?.arrayValue ?? []).map { "- \($0.cellText)" }.joined(separator: "\n")
                },
            ]),
        ResourceType(
            name: "testsuite", kind: .testSuite,
            columns: [
                .field("ID", "id"), .field("NAME", "name"), .field("VERSION", "version"),
                .init(header: "STEPS") { spec, _ in String(spec["steps"]?.arrayValue?.count ?? 0) },
                .field("RUNS", "summary.runs"), .date("LAST RUN TIME", "summary.lastRun.time"),
                .field("LAST RUN SUCCESSES", "summary.lastRun.passes"),
                .field("LAST RUN FAILURES", "summary.lastRun.fails"),
            ]),
        ResourceType(
            name: "variableset", kind: .variableSet,
            columns: [.field("ID", "id"), .field("NAME", "name"), .field("DESCRIPTION", "description")]),
    ]

    /// Deprecated names and what they stand for.
    static let aliases = ["transaction": "testsuite", "environment": "variableset"]

    /// Tracetest Cloud resources, which a Tracetest Core server does not have.
    static let cloudOnly: Set<String> = ["env", "environmenttoken", "invite", "monitor", "organization"]

    static var names: [String] { all.map(\.name) }

    /// The resource named `name` (aliases included, with a deprecation warning), or an error that says what exists.
    static func resolve(_ name: String?, console: Console) throws(CLIError) -> ResourceType {
        guard let name, !name.isEmpty else {
            throw CLIError(
                "resource name must be provided. Available resources: \(names.joined(separator: ", "))",
                hint: "For example: tracetest list test")
        }
        let lowered = name.lowercased()
        if let alias = aliases[lowered], let resource = all.first(where: { $0.name == alias }) {
            console.warning(
                "The resource `\(lowered)` is deprecated and will be removed in a future version. "
                    + "Please use `\(alias)` instead.")
            return ResourceType(name: lowered, kind: resource.kind, columns: resource.columns)
        }
        if let resource = all.first(where: { $0.name == lowered }) { return resource }
        if cloudOnly.contains(lowered) {
            throw CLIError(
                "the resource \"\(name)\" exists only on Tracetest Cloud; this CLI works with Tracetest Core servers",
                hint: "Available resources: \(names.joined(separator: ", "))")
        }
        if let suggestion = suggestion(for: lowered) {
            throw CLIError("resource \"\(name)\" not found. Did you mean this?\n\t\(suggestion)")
        }
        throw CLIError(
            "resource \"\(name)\" not found", hint: "Available resources: \(names.joined(separator: ", "))")
    }

    /// The closest known name within two edits.
    static func suggestion(for name: String) -> String? {
        Suggestion.closest(to: name, among: names + Array(aliases.keys))
    }
}

extension ResourceType.Column {
    /// A column showing the scalar at `path` of the spec.
    static func field(_ header: String, _ path: String) -> Self {
        .init(header: header) { spec, _ in spec.value(at: path)?.cellText ?? "" }
    }

    /// A column showing the time at `path` as `YYYY-MM-DD HH:MM:SS`; Go's zero time is blank.
    static func date(_ header: String, _ path: String) -> Self {
        .init(header: header) { spec, _ in
            guard let text = spec.value(at: path)?.stringValue, let time = Timestamp(rfc3339: text), !time.isZero
            else { return "" }
            let rfc = time.rfc3339
            return String(rfc.prefix(10)) + " " + String(rfc.dropFirst(11).prefix(8))
        }
    }
}
