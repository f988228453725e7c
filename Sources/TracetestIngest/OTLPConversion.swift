import Foundation
import TracetestModel
import TracetestOTLP

package typealias ExportRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias ExportResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span
typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue
typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue

/// The spans of one export request, grouped by trace, and what had to be dropped.
package struct SpanBatch: Sendable {
    /// Spans per trace, traces in order of first appearance.
    package var traces: [(traceID: TraceID, spans: [Span])]
    package var rejectedSpans: Int
    /// Why spans were rejected (the first reason), for the partial-success message.
    package var rejectionReason: String?

    package var spanCount: Int { traces.reduce(0) { $0 + $1.spans.count } }

    package init(traces: [(traceID: TraceID, spans: [Span])], rejectedSpans: Int = 0, rejectionReason: String? = nil) {
        self.traces = traces
        self.rejectedSpans = rejectedSpans
        self.rejectionReason = rejectionReason
    }
}

/// Turns OTLP spans into Tracetest spans: ids, times, kind and status names, events, links, and every attribute
/// value as text, with resource and scope attributes merged in (a resource `service.name` wins).
package enum OTLPConversion {
    /// The spans of `traceID` among `resourceSpans` (a trace store's answer), with Tracetest's metadata.
    package static func spans(
        of traceID: TraceID, in resourceSpans: [Opentelemetry_Proto_Trace_V1_ResourceSpans]
    ) -> [Span] {
        var request = ExportRequest()
        request.resourceSpans = resourceSpans
        return batch(from: request).traces.first { $0.traceID == traceID }?.spans ?? []
    }

    /// The request's spans as received: Tracetest's metadata (`tracetest.span.*`) is added when a run's trace is
    /// assembled, not on the ingest path.
    package static func batch(from request: ExportRequest) -> SpanBatch {
        var builder = BatchBuilder()
        for resourceSpans in request.resourceSpans {
            let resource = attributes(resourceSpans.resource.attributes)
            for scopeSpans in resourceSpans.scopeSpans {
                let inherited = inheritedAttributes(
                    scopeName: scopeSpans.scope.name, scope: attributes(scopeSpans.scope.attributes),
                    resource: resource)
                for otlpSpan in scopeSpans.spans {
                    var converted = span(otlpSpan)
                    builder.add(
                        &converted, traceID: TraceID(bytes: otlpSpan.traceID), spanID: SpanID(bytes: otlpSpan.spanID),
                        inherited: inherited)
                }
            }
        }
        return builder.batch
    }

    /// What a scope's spans take from their scope and resource: the scope's name as `service.name`, the scope's
    /// attributes, then the resource's (which win).
    static func inheritedAttributes(scopeName: String, scope: [String: String], resource: [String: String])
        -> [String: String]
    {
        var inherited: [String: String] = [:]
        if !scopeName.isEmpty { inherited["service.name"] = scopeName }
        inherited.merge(scope) { $1 }
        inherited.merge(resource) { $1 }
        return inherited
    }

    /// Collects converted spans by trace; a span without a valid trace or span id is rejected.
    struct BatchBuilder {
        private var order: [TraceID] = []
        private var byTrace: [TraceID: [Span]] = [:]
        private var rejected = 0
        private var reason: String?

        /// Adds `span` (with its own attributes; its id is `spanID`) with the attributes of its scope and resource,
        /// which win. It is completed in place (a span may have a million attributes).
        mutating func add(_ span: inout Span, traceID: TraceID?, spanID: SpanID?, inherited: [String: String]) {
            guard let traceID, traceID.isValid else {
                return reject("span \"\(span.name)\" has an invalid trace id (16 non-zero bytes expected)")
            }
            guard let spanID, spanID.isValid else {
                return reject("span \"\(span.name)\" has an invalid span id (8 non-zero bytes expected)")
            }
            span.id = spanID
            // One growth at most for the inherited attributes. No room is kept for more: a buffered span holds its
            // table for minutes, and the metadata added at assembly goes into a copy.
            span.attributes.reserveCapacity(span.attributes.count + inherited.count)
            span.attributes.merge(inherited) { $1 }
            if byTrace[traceID] == nil { order.append(traceID) }
            byTrace[traceID, default: []].append(span)
        }

        /// A span as a one-pass reader reads it, before its ids are checked.
        struct PendingSpan {
            var traceID: TraceID?
            var spanID: SpanID?
            var span = Span(id: SpanID(0), name: "")
        }

        /// The spans of one resource's scopes, read before the resource's attributes were known (in a one-pass
        /// reader the resource may come after its spans); `inherited` is each scope's own part.
        mutating func add(
            _ scopes: inout [(inherited: [String: String], spans: [PendingSpan])], resource: [String: String]
        ) {
            for scope in scopes.indices {
                var inherited = scopes[scope].inherited
                inherited.merge(resource) { $1 }
                for index in scopes[scope].spans.indices {
                    let (traceID, spanID) = (scopes[scope].spans[index].traceID, scopes[scope].spans[index].spanID)
                    add(&scopes[scope].spans[index].span, traceID: traceID, spanID: spanID, inherited: inherited)
                }
            }
        }

        private mutating func reject(_ why: String) {
            rejected += 1
            reason = reason ?? why
        }

        var batch: SpanBatch {
            SpanBatch(traces: order.map { ($0, byTrace[$0] ?? []) }, rejectedSpans: rejected, rejectionReason: reason)
        }
    }

    /// The span with its own attributes, without its id (``BatchBuilder`` sets it).
    static func span(_ otlp: OTLPSpan) -> Span {
        let parent = SpanID(bytes: otlp.parentSpanID).flatMap { $0.isValid ? $0 : nil }
        return Span(
            id: SpanID(0),
            parentID: parent,
            name: otlp.name,
            kind: kind(otlp.kind),
            startTimeUnixNano: Int64(clamping: otlp.startTimeUnixNano),
            endTimeUnixNano: Int64(clamping: otlp.endTimeUnixNano),
            attributes: attributes(otlp.attributes),
            events: otlp.events.map {
                SpanEvent(
                    name: $0.name, timeUnixNano: Int64(clamping: $0.timeUnixNano), attributes: attributes($0.attributes)
                )
            },
            links: otlp.links.compactMap { link in
                guard let traceID = TraceID(bytes: link.traceID), let spanID = SpanID(bytes: link.spanID) else {
                    return nil
                }
                return SpanLink(
                    traceID: traceID, spanID: spanID, traceState: link.traceState,
                    attributes: attributes(link.attributes))
            },
            status: otlp.hasStatus ? SpanStatus(code: statusCode(otlp.status.code), message: otlp.status.message) : nil
        )
    }

    static func kind(_ kind: OTLPSpan.SpanKind) -> SpanKind {
        switch kind {
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .unspecified, .UNRECOGNIZED: .unspecified
        }
    }

    static func statusCode(_ code: Opentelemetry_Proto_Trace_V1_Status.StatusCode) -> String {
        switch code {
        case .ok: "STATUS_CODE_OK"
        case .error: "STATUS_CODE_ERROR"
        case .unset, .UNRECOGNIZED: "STATUS_CODE_UNSET"
        }
    }

    static func attributes(_ keyValues: [OTLPKeyValue]) -> [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(keyValues.count)
        for keyValue in keyValues { result[keyValue.key] = text(keyValue.value) }
        return result
    }

    static func text(_ value: OTLPAnyValue) -> String { AttributeValue(value).text }

    /// An OTLP `AnyValue`: the member of its `oneof` that is set. ``OTLPProtobuf`` builds it as it reads (a message
    /// member sent again is merged into the same member, array values and map entries appended).
    enum AttributeValue {
        case none, string(String), bool(Bool), int(Int64), double(Double), bytes(Data), strindex
        case array([WireValue]), map([(String, WireValue)])

        init(_ value: OTLPAnyValue) {
            switch value.value {
            case .stringValue(let string): self = .string(string)
            case .intValue(let integer): self = .int(integer)
            case .boolValue(let bool): self = .bool(bool)
            case .doubleValue(let double): self = .double(double)
            case .bytesValue(let bytes): self = .bytes(bytes)
            case .arrayValue(let array): self = .array(array.values.map { AttributeValue($0).json })
            case .kvlistValue(let list): self = .map(list.values.map { ($0.key, AttributeValue($0.value).json) })
            case .stringValueStrindex: self = .strindex
            case nil: self = .none
            }
        }

        /// The value as text: strings as they are, numbers in decimal (doubles as the shortest text that reads back
        /// exactly; NaN and infinities as Go writes them: `NaN`, `+Inf`, `-Inf`), booleans as `true`/`false`, arrays
        /// and maps as compact JSON, bytes as base64. `string_value_strindex` indexes the string table of the
        /// profiles signal, which traces do not have, so like a value that is not set it reads as empty text.
        var text: String {
            switch self {
            case .string(let string): string
            case .int(let integer): String(integer)
            case .bool(let bool): bool ? "true" : "false"
            case .double(let double): double.shortestText
            case .bytes(let bytes): bytes.base64EncodedString()
            case .array, .map: json.jsonText
            case .strindex, .none: ""
            }
        }

        /// The value inside an array or map: non-finite doubles and bytes as strings, a map's later key winning.
        var json: WireValue {
            switch self {
            case .string(let string): .string(string)
            case .int(let integer): .integer(integer)
            case .bool(let bool): .bool(bool)
            case .double(let double): double.isFinite ? .double(double) : .string(double.shortestText)
            case .bytes(let bytes): .string(bytes.base64EncodedString())
            case .array(let values): .array(values)
            case .map(let pairs): .object(.init(pairs, uniquingKeysWith: { $1 }))
            case .strindex, .none: .null
            }
        }
    }
}
