import Yams

/// Refuses keys that Tracetest's resource schemas do not know, at every level of a resource document, so a typo
/// never passes silently (`spec:` for `specs:` in a test would make a test without assertions that always passes).
/// The error names the key, where it is (path, line, column) and the closest known key, or else the keys allowed.
/// Keys upstream knows are accepted even where this server ignores them, and so are the older shapes upstream
/// still reads (legacy trigger keys, `specs` and `outputs` as maps, selectors as objects).
package enum ResourceKeys {
    /// Throws for the first unknown key of `document`, a `{type, spec}` resource of `kind`.
    package static func check(_ document: Node, kind: ResourceKind) throws(WireDecodingError) {
        try check(document, against: .keys(["type": .any, "spec": Schema.spec(of: kind)]), path: "")
    }

    /// What a place in a document may hold: a mapping with these keys, a list of one shape, or anything.
    indirect enum Shape: Sendable {
        case keys([String: Shape])
        case list(Shape)
        case any
    }

    private static func check(_ node: Node, against shape: Shape, path: String) throws(WireDecodingError) {
        switch (shape, node) {
        case (.keys(let known), .mapping(let mapping)):
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                let place = path.isEmpty ? name : "\(path).\(name)"
                guard let inner = known[name] else {
                    let names = known.keys.sorted()
                    let hint =
                        Suggestion.closest(to: name, among: names).map { "did you mean `\($0)`?" }
                        ?? "the keys here are \(names.map { "`\($0)`" }.joined(separator: ", "))"
                    throw WireDecodingError(
                        path: place, line: key.mark?.line, column: key.mark?.column, problem: "unknown key; \(hint)")
                }
                try check(value, against: inner, path: place)
            }
        case (.list(let element), .sequence(let items)):
            for (index, item) in items.enumerated() { try check(item, against: element, path: "\(path)[\(index)]") }
        default:
            // Anything else is the decoder's to judge (a wrong type is its error; a legacy map form passes).
            return
        }
    }

    /// The resource schemas, as upstream's API definition and server read them.
    enum Schema {
        static func spec(of kind: ResourceKind) -> Shape {
            switch kind {
            case .test: test
            case .testSuite: testSuite
            case .variableSet: variableSet
            case .dataStore: dataStore
            case .pollingProfile: pollingProfile
            case .config: object("id", "name", "analyticsEnabled")
            case .demo: demo
            case .analyzer: analyzer
            case .testRunner: object("id", "name", "requiredGates")
            }
        }

        private static func object(_ names: String..., with nested: [String: Shape] = [:]) -> Shape {
            var keys = Dictionary(uniqueKeysWithValues: names.map { ($0, Shape.any) })
            keys.merge(nested) { $1 }
            return .keys(keys)
        }

        static let keyValue = object("key", "value")
        static let auth = object(
            "type",
            with: [
                "apiKey": object("key", "value", "in"), "basic": object("username", "password"),
                "bearer": object("token", "bearer"),
            ])
        static let selector = object(
            "query", "parsedSelector", "structure")  // the object form of a selector, upstream's older JSON
        static let summary = object("runs", with: ["lastRun": object("time", "passes", "fails", "analyzerScore")])
        static let tls = object(
            "insecure", "insecureSkipVerify", "serverName",
            with: ["settings": object("cAFile", "certFile", "keyFile", "minVersion", "maxVersion")])
        static let grpcClient = object(
            "endpoint", "readBufferSize", "writeBufferSize", "waitForReady", "headers", "balancerName", "compression",
            with: ["tls": tls, "auth": auth])
        static let httpRequest = object(
            "url", "method", "body", "sslVerification", with: ["headers": .list(keyValue), "auth": auth])
        static let grpcRequest = object(
            "protobufFile", "address", "service", "method", "request",
            with: ["metadata": .list(keyValue), "auth": auth])
        static let kafkaAuthentication = object("type", with: ["plain": object("username", "password")])
        static let trigger = object(
            "type", "triggerType", "triggerSettings", "http", "Type", "HTTP", "GRPC", "TraceID",
            with: [
                "httpRequest": httpRequest, "grpc": grpcRequest, "traceid": object("id"), "traceId": object("id"),
                "kafka": object(
                    "brokerUrls", "topic", "messageKey", "messageValue", "sslVerification",
                    with: [
                        "headers": .list(keyValue), "authentication": kafkaAuthentication,
                        "authetication": kafkaAuthentication,
                    ]),
                "playwrightEngine": object("target", "method", "script"),
                "graphql": object(
                    "url", "sslVerification", "schema",
                    with: [
                        "headers": .list(keyValue), "auth": auth,
                        "body": object("query", "variables", "operationName"),
                    ]),
            ])
        static let test = object(
            "id", "name", "description", "version", "createdAt", "skipTraceCollection", "pollingProfile",
            "serviceUnderTest",
            with: [
                "trigger": trigger,
                "specs": .list(object("name", "assertions", with: ["selector": selector, "selectorParsed": selector])),
                "outputs": .list(
                    object("name", "value", with: ["selector": selector, "selectorParsed": selector])),
                "summary": summary,
            ])
        static let testSuite = object(
            "id", "name", "description", "version", "steps", "createdAt",
            with: ["fullSteps": .list(test), "summary": summary])
        static let variableSet = object(
            "id", "name", "description", "createdAt", with: ["values": .list(object("key", "value", "type"))])
        static let elasticsearch = object(
            "addresses", "username", "password", "index", "certificate", "insecureSkipVerify")
        static let dataStore = object(
            "id", "name", "type", "default", "isDefault", "createdAt",
            with: [
                "jaeger": grpcClient,
                "tempo": object(
                    "type", "maxResponseBytes",
                    with: ["grpc": grpcClient, "http": object("url", "headers", with: ["tls": tls, "auth": auth])]),
                "opensearch": elasticsearch, "openSearch": elasticsearch, "elasticapm": elasticsearch,
                "elasticApm": elasticsearch,
                "signalfx": object("realm", "token", "url"), "signalFx": object("realm", "token", "url"),
                "awsxray": object(
                    "region", "accessKeyId", "secretAccessKey", "sessionToken", "useDefaultAuth", "url"),
                "azureappinsights": object(
                    "useAzureActiveDirectoryAuth", "accessToken", "connectionType", "resourceArmId", "url"),
                "sumologic": object("url", "accessID", "accessKey"),
            ])
        static let pollingProfile = object(
            "id", "name", "default", "strategy",
            with: ["periodic": object("retryDelay", "timeout", "selectorMatchRetries")])
        static let demo = object(
            "id", "type", "name", "enabled",
            with: [
                "pokeshop": object("httpEndpoint", "grpcEndpoint", "kafkaBroker", "kafkaEndpoint"),
                "opentelemetryStore": object(
                    "frontendEndpoint", "productCatalogEndpoint", "cartEndpoint", "checkoutEndpoint"),
            ])
        static let analyzer = object(
            "id", "name", "enabled", "minimumScore",
            with: [
                "plugins": .list(
                    object(
                        "id", "slug", "name", "description", "enabled", "required",
                        with: [
                            "rules": .list(
                                object(
                                    "id", "slug", "weight", "name", "description", "errorDescription", "tips",
                                    "errorLevel"))
                        ]))
            ])
    }
}
