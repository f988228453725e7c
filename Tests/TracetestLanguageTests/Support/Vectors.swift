import Foundation
import Testing
import TracetestModel

@testable import TracetestLanguage

// One entry of language-vectors.json; every category's fields are optional, polymorphic ones stay JSON.
struct Vector: Decodable, Sendable, CustomTestStringConvertible {
    var test: String?
    var category: String?
    var selector: String?
    var valid: Bool?
    var parsed: JSONFixture?
    var trace_ref: String?
    var trace: TraceFixture?
    var expected_span_ids: [String]?
    var assertion: String?
    var stores: Stores?
    var expected_pass: Bool?
    var expected_error_message: String?
    var expected_observed_value: String?
    var superseded_by_decisions: Bool?
    var decided_expected_pass: Bool?
    var now_go_layout: String?
    var expression: String?
    var expected_error: Bool?
    var expected: JSONFixture?
    var output: JSONFixture?
    var spec: JSONFixture?
    var variables: [String: String]?
    var statement: String?
    var input: JSONFixture?
    var ast: JSONFixture?
    var filter: String?
    var args: JSONFixture?
    var comparator: String?
    var actual: String?
    var outcome: String?
    var error_message: String?
    var note: String?
    var lookup: String?
    var expected_found: Bool?
    var symbols: [String]?
    var direction: String?
    var input_ns: Int64?
    var expected_ns: Int64?
    var name: String?
    var action: String?
    var expected_error_contains: String?
    var available: [String]?
    var fields: [Field]?
    var expected_missing: [String]?
    var attributes: [String: String]?
    var expected_type: String?
    var spans: [TraceFixture.SpanFixture]?

    struct Stores: Decodable, Sendable {
        struct AttributeStore: Decodable, Sendable {
            var span_valid: Bool
            var attributes: [String: String]
        }

        struct MetaStore: Decodable, Sendable {
            var selected_spans_count: Int
        }

        var attr: AttributeStore?
        var meta: MetaStore?
        var `var`: [String: String]?
    }

    struct Field: Decodable, Sendable {
        var value: String
        var mode: String
    }

    var testDescription: String {
        test ?? selector ?? assertion ?? expression ?? statement ?? name ?? lookup
            ?? "\(comparator ?? "?") \(actual ?? "")"
    }

    // The context the vector's stores describe (language-vectors.json `_about.schema.stores`).
    var context: EvaluationContext {
        var context = EvaluationContext()
        if let attr = stores?.attr { context.attributes = attr.span_valid ? .span(attr.attributes) : .noSpan }
        context.selectedSpanCount = stores?.meta?.selected_spans_count
        context.variables = stores?.var
        return context
    }
}

struct TraceFixture: Decodable, Sendable {
    struct SpanFixture: Decodable, Sendable {
        var id: String
        var parentId: String?
        var name: String
        var kind: String?
        var attributes: [String: String]
        var start_offset_s: Int64?
        var end_offset_s: Int64?
    }

    var build: String
    var spans: [SpanFixture]
}

struct VectorFile: Decodable, Sendable {
    var traces: [String: TraceFixture]
    var selector_parse: [Vector]
    var selector_match: [Vector]
    var expression_parse: [Vector]
    var tokens: [Vector]
    var assertion_eval: [Vector]
    var expression_eval: [Vector]
    var filters: [Vector]
    var comparators: [Vector]
    var comparator_registry: [Vector]
    var durations: [Vector]
    var functions: [Vector]
    var missing_variables: [Vector]
    var span_types: [Vector]
    var trace_assembly: [Vector]
    var derived_from_code: [Vector]
    var go_quirks_do_not_copy: [Vector]
}

enum Vectors {
    static let file: VectorFile = {
        let url = Bundle.module.url(forResource: "language-vectors", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
    }()

    static func derived(_ category: String) -> [Vector] { file.derived_from_code.filter { $0.category == category } }

    // The span kinds of the vectors' hand-built traces (`http`, `db`, `general`) are not OTLP kinds; they are mapped
    // to kinds the model has, and `kind="…"` in selectors is rewritten the same way.
    static let kindMapping: [String: SpanKind] = ["http": .server, "db": .client, "general": .internal]

    static func selectorText(_ text: String) -> String {
        kindMapping.reduce(text) {
            $0.replacingOccurrences(of: "kind=\"\($1.key)\"", with: "kind=\"\($1.value.rawValue)\"")
        }
    }

    // The vector's trace (its own, or the named one).
    static func trace(for vector: Vector) -> Trace {
        let fixture = vector.trace ?? file.traces[vector.trace_ref ?? ""]!
        return trace(fixture)
    }

    static func trace(_ fixture: TraceFixture) -> Trace {
        let spans = fixture.spans.map { span in
            Span(
                id: SpanID(hex: span.id)!, parentID: span.parentId.flatMap { SpanID(hex: $0) }, name: span.name,
                kind: span.kind.flatMap { SpanKind(rawValue: $0) ?? kindMapping[$0] } ?? .unspecified,
                attributes: span.attributes)
        }
        let traceID = TraceID(high: 1, low: 1)
        return fixture.build == "explicit_tree"
            ? Trace(traceID: traceID, assembled: spans) : Trace(traceID: traceID, spans: spans, now: 1)
    }

    static func selectedIDs(_ selector: String, in trace: Trace) throws -> [String] {
        let selector = try Selector(parsing: selectorText(selector))
        return selector.select(in: TraceIndex(trace)).map { trace.spans[$0].id.hex }
    }
}
