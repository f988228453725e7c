import TracetestModel

/// Finds the variables a test uses that nobody provides (language.md §10), for the run API's 422 answer.
package enum MissingVariables {
    /// A field and how it is read.
    package enum Field: Sendable, Equatable {
        /// Text with `${…}` parts (trigger fields).
        case template(String)
        /// An assertion (`specs[].assertions[]`).
        case assertion(String)
        /// An expression (`outputs[].value`).
        case expression(String)
    }

    /// The names of the `var:`/`env:` references in `fields` that `available` lacks, each once, in first-seen order.
    /// A field that does not parse is skipped.
    package static func detect(in fields: [Field], available: Set<String>) -> [String] {
        var seen = available
        var missing: [String] = []
        for field in fields {
            for name in references(in: field).compactMap(\.variableName) where seen.insert(name).inserted {
                missing.append(name)
            }
        }
        return missing
    }

    /// The variables `test` uses (trigger fields, assertions, output values) that neither `available` nor the test's
    /// own outputs provide.
    package static func detect(in test: TracetestModel.Test, available: Set<String>) -> [String] {
        detect(in: fields(of: test), available: available.union(test.outputs.map(\.name)))
    }

    private static func references(in field: Field) -> [TermToken] {
        switch field {
        case .template(let text): return (try? Template(parsing: text))?.tokens ?? []
        case .assertion(let text): return (try? Assertion.cached(text))?.tokens ?? []
        case .expression(let text): return (try? Expression.cached(text))?.tokens ?? []
        }
    }

    // Trigger strings, then assertions, then output values.
    static func fields(of test: TracetestModel.Test) -> [Field] {
        triggerTexts(test.trigger).map(Field.template) + test.specs.flatMap { $0.assertions.map(Field.assertion) }
            + test.outputs.map { .expression($0.value) }
    }

    private static func triggerTexts(_ trigger: Trigger) -> [String] {
        var texts: [String] = []
        if let http = trigger.httpRequest {
            texts += [http.method, http.url] + pairs(http.headers) + [http.body] + auth(http.auth)
        }
        if let grpc = trigger.grpc {
            texts += [grpc.protobufFile, grpc.address, grpc.service, grpc.method, grpc.request].compactMap { $0 }
            texts += pairs(grpc.metadata ?? []) + auth(grpc.auth)
        }
        if let traceID = trigger.traceid { texts.append(traceID.id) }
        if let kafka = trigger.kafka {
            texts += kafka.brokerUrls + [kafka.topic] + pairs(kafka.headers) + [kafka.messageKey, kafka.messageValue]
            texts += [kafka.authentication?.plain?.username, kafka.authentication?.plain?.password].compactMap { $0 }
        }
        if let graphql = trigger.graphql {
            texts += [graphql.url].compactMap { $0 } + pairs(graphql.headers ?? []) + auth(graphql.auth)
            if let body = graphql.body {
                texts += [body.query, body.operationName]
                for case .string(let text) in body.variables.values { texts.append(text) }
            }
        }
        if let playwright = trigger.playwrightEngine {
            texts += [playwright.target, playwright.script, playwright.method].compactMap { $0 }
        }
        return texts
    }

    private static func pairs(_ values: [KeyValue]) -> [String] { values.flatMap { [$0.key, $0.value] } }

    private static func auth(_ auth: Authentication?) -> [String] {
        guard let auth else { return [] }
        return [
            auth.type, auth.apiKey?.key, auth.apiKey?.value, auth.apiKey?.in, auth.basic?.username,
            auth.basic?.password,
            auth.bearer?.token,
        ].compactMap { $0 }
    }
}
