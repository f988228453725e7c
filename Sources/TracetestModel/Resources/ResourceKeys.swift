import Yams

/// Catches misspelt keys in resource documents, where they would otherwise be ignored: `spec:` for `specs:` in a
/// test makes a test without assertions that always passes. A key that is not one of the known keys of its place
/// but is within two edits of one is refused, naming the key, where it is and the key meant; other unknown keys
/// pass, as Tracetest ignores them (they may be keys of other versions).
package enum ResourceKeys {
    private static let envelope = ["type", "spec"]
    private static let specs: [ResourceKind: [String]] = [
        .test: [
            "id", "name", "description", "version", "createdAt", "trigger", "specs", "outputs", "summary",
            "skipTraceCollection", "serviceUnderTest",
        ],
        .testSuite: ["id", "name", "description", "version", "createdAt", "steps", "fullSteps", "summary"],
        .variableSet: ["id", "name", "description", "values"],
    ]
    private static let trigger = [
        "type", "triggerType", "httpRequest", "http", "grpc", "traceid", "traceId", "kafka", "graphql",
        "playwrightEngine",
    ]
    private static let httpRequest = ["method", "url", "headers", "body", "auth", "sslVerification"]
    private static let spec = ["selector", "name", "assertions"]
    private static let output = ["name", "selector", "value"]

    /// Throws for the first misspelt key of `document`, a `{type, spec}` resource of `kind`.
    package static func check(_ document: Node, kind: ResourceKind) throws(WireDecodingError) {
        try check(document, known: envelope, path: "")
        guard let known = specs[kind], let spec = document["spec"] else { return }
        try check(spec, known: known, path: "spec")
        guard kind == .test else { return }
        if let trigger = spec["trigger"] {
            try check(trigger, known: Self.trigger, path: "spec.trigger")
            if let request = trigger["httpRequest"] {
                try check(request, known: httpRequest, path: "spec.trigger.httpRequest")
            }
        }
        for (index, item) in (spec["specs"]?.sequence ?? []).enumerated() {
            try check(item, known: Self.spec, path: "spec.specs[\(index)]")
        }
        for (index, item) in (spec["outputs"]?.sequence ?? []).enumerated() {
            try check(item, known: output, path: "spec.outputs[\(index)]")
        }
    }

    private static func check(_ node: Node, known: [String], path: String) throws(WireDecodingError) {
        for (key, _) in node.mapping ?? [:] {
            guard let name = key.string, !known.contains(name),
                let meant = Suggestion.closest(to: name, among: known)
            else { continue }
            throw WireDecodingError(
                path: path.isEmpty ? name : "\(path).\(name)", line: key.mark?.line, column: key.mark?.column,
                problem: "unknown key; did you mean `\(meant)`?")
        }
    }
}
