import TracetestConcurrency
import TracetestLanguage
import TracetestModel

/// The `trace` of a run in wire form, written and read in one place: `{traceId, tree, flat}`, each span `{id,
/// parentId, name, kind, startTime, endTime, attributes, children}` with times in Unix milliseconds and
/// `tracetest.span.duration` shown as a duration (`12ms`). `flat` entries carry no children. Written and read
/// without recursion, so any depth works.
package enum TraceDocument {
    /// The JSON text of `trace`, written on the compute pool.
    package static func json(_ trace: Trace) async -> String {
        await ComputePool.shared.run { text(trace) }
    }

    /// Spans per part: parts of the tree and of `flat` are written in parallel.
    static let partSize = 4_096

    static func text(_ trace: Trace) -> String {
        // A span's place in the tree needs only its own index: a comma before it unless it is its parent's first
        // child, and after its children's list as many `]}` as spans whose subtree ends there (itself when it is a
        // leaf, and the ancestors it is the last descendant of). So every part is written on its own.
        let count = trace.spans.count
        var closing = [Int](repeating: 0, count: count)
        for end in trace.subtreeEnds { closing[end - 1] += 1 }
        let closes = closing
        let parts = (count + partSize - 1) / partSize
        let written = ComputePool.shared.map(parts) { part in
            var tree = JSONBytes()
            var flat = JSONBytes()
            var body = JSONBytes()
            for index in part * partSize..<min(count, (part + 1) * partSize) {
                body.bytes.removeAll(keepingCapacity: true)
                let span = trace.spans[index]
                write(span, parent: index == 0 ? nil : trace.spans[trace.parents[index]].id, into: &body)
                if index > 0, trace.parents[index] + 1 != index { tree.raw(",") }
                tree.bytes.append(contentsOf: body.bytes)
                tree.raw(#","children":["#)
                for _ in 0..<closes[index] { tree.raw("]}") }
                if index > 0 { flat.raw(",") }
                flat.raw("\"")
                flat.hex(span.id.value)
                flat.raw("\":")
                flat.bytes.append(contentsOf: body.bytes)
                flat.raw("}")
            }
            return (tree.bytes, flat.bytes)
        }
        var head = JSONBytes()
        head.raw(#"{"traceId":""#)
        head.hex(trace.traceID.high)
        head.hex(trace.traceID.low)
        head.raw(#"","tree":"#)
        let pieces =
            [head.bytes] + written.map(\.0) + [Array(#","flat":{"#.utf8)] + written.map(\.1) + [Array("}}".utf8)]
        return String(unsafeUninitializedCapacity: pieces.reduce(0) { $0 + $1.count }) { buffer in
            var offset = 0
            for piece in pieces {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + piece.count]).initialize(from: piece)
                offset += piece.count
            }
            return offset
        }
    }

    /// One span as `flat` shows it (no children), its parent as the tree places it.
    static func span(at index: Int, of trace: Trace) -> String {
        var output = JSONBytes()
        write(trace.spans[index], parent: index == 0 ? nil : trace.spans[trace.parents[index]].id, into: &output)
        output.raw("}")
        return output.text
    }

    /// The trace in outline for the web UI's timeline, small enough for 100,000 spans: `{"traceId", "start" (Unix
    /// nanoseconds as text), "spans": [[id, parentId, name, kind, service, startOffsetNs, durationNs, statusCode]]}`,
    /// spans in tree order, `parentId` empty for the root, `statusCode` `unset`, `ok` or `error`.
    static func outline(_ trace: Trace) -> String {
        let start = trace.spans.lazy.map(\.startTimeUnixNano).min() ?? 0
        var output = JSONBytes()
        output.raw(#"{"traceId":""#)
        output.hex(trace.traceID.high)
        output.hex(trace.traceID.low)
        output.raw(#"","start":""#)
        output.integer(start)
        output.raw(#"","spans":["#)
        for (index, span) in trace.spans.enumerated() {
            output.raw(index == 0 ? #"[""# : #",[""#)
            output.hex(span.id.value)
            output.raw(#"",""#)
            if index > 0 { output.hex(trace.spans[trace.parents[index]].id.value) }
            output.raw(#"","#)
            output.string(span.name)
            output.raw(#",""#)
            output.verbatim(span.kind.rawValue)
            output.raw(#"","#)
            output.string(span.attributes["service.name"] ?? "")
            output.raw(",")
            output.integer(span.startTimeUnixNano - start)
            output.raw(",")
            output.integer(max(0, span.endTimeUnixNano - span.startTimeUnixNano))
            output.raw(#",""#)
            switch span.status?.code ?? span.attributes[TracetestAttributes.statusCode] {
            case "STATUS_CODE_OK": output.raw("ok")
            case "STATUS_CODE_ERROR": output.raw("error")
            default: output.raw("unset")
            }
            output.raw(#""]"#)
        }
        output.raw("]}")
        return output.text
    }

    /// The span's fields up to its attributes, leaving the object open.
    private static func write(_ span: Span, parent: SpanID?, into output: inout JSONBytes) {
        output.raw(#"{"id":""#)
        output.hex(span.id.value)
        output.raw(#"","parentId":""#)
        if let parent { output.hex(parent.value) }
        output.raw(#"","name":"#)
        output.string(span.name)
        output.raw(#","kind":""#)
        output.verbatim(span.kind.rawValue)
        output.raw(#"","startTime":"#)
        output.integer(span.startTimeUnixNano / 1_000_000)
        output.raw(#","endTime":"#)
        output.integer(span.endTimeUnixNano / 1_000_000)
        output.raw(#","attributes":{"#)
        var first = true
        for (key, value) in span.attributes.sorted(by: { $0.key < $1.key }) {
            if !first { output.raw(",") }
            first = false
            output.string(key)
            output.raw(":")
            if key == TracetestAttributes.duration, let nanoseconds = Int64(value) {
                output.string(DurationText.upstreamText(nanoseconds))
            } else {
                output.string(value)
            }
        }
        output.raw("}")
    }

    // MARK: Reading

    /// Reads spans back from the wire form (imported runs, the legacy run update). Times come from
    /// `tracetest.span.start_time` / `end_time` when present (nanoseconds), else from `startTime` / `endTime`
    /// (milliseconds); a duration shown as text (`12ms`) is stored as nanoseconds again.
    /// The spans of `trace`; empty for a trace without spans (`{"tree":{}}`).
    static func spans(_ trace: WireValue, field: String) throws -> [Span] {
        var objects: [WireValue] = []
        if case .object(let flat)? = trace["flat"], !flat.isEmpty {
            objects = Array(flat.values)
        } else if let tree = trace["tree"] {
            // Depth-first without recursion, so any depth works.
            var stack = [tree]
            while let next = stack.popLast() {
                guard case .object(let fields) = next, !fields.isEmpty else { continue }
                objects.append(next)
                if let children = fields["children"]?.arrayValue { stack.append(contentsOf: children.reversed()) }
            }
        }
        return try objects.map { try span($0, field: field) }
    }

    private static func span(_ value: WireValue, field: String) throws -> Span {
        let idText = value["id"]?.stringValue ?? ""
        guard let id = SpanID(hex: idText) else {
            throw RunRequestError.invalidRequest("\(field): span id \"\(idText)\" is not 16 hexadecimal digits")
        }
        var parentID: SpanID?
        if let parentText = value["parentId"]?.stringValue, !parentText.isEmpty {
            guard let parent = SpanID(hex: parentText) else {
                throw RunRequestError.invalidRequest(
                    "\(field): parentId \"\(parentText)\" of span \(idText) is not 16 hexadecimal digits")
            }
            parentID = parent
        }
        var attributes: [String: String] = [:]
        if case .object(let fields)? = value["attributes"] {
            for (key, attribute) in fields {
                attributes[key] = attribute.stringValue ?? attribute.jsonText
            }
        }
        let start =
            try attributes[TracetestAttributes.startTime].flatMap { Int64($0) }
            ?? milliseconds(value["startTime"], "startTime", of: idText, field: field)
        let end =
            try attributes[TracetestAttributes.endTime].flatMap { Int64($0) }
            ?? milliseconds(value["endTime"], "endTime", of: idText, field: field)
        if let duration = attributes[TracetestAttributes.duration], Int64(duration) == nil {
            let (elapsed, overflow) = end.subtractingReportingOverflow(start)
            attributes[TracetestAttributes.duration] = String(overflow ? 0 : max(0, elapsed))
        }
        let name = value["name"]?.stringValue ?? ""
        return Span(
            id: id, parentID: parentID, name: name,
            kind: SpanKind(rawValue: value["kind"]?.stringValue ?? "") ?? .unspecified,
            startTimeUnixNano: start, endTimeUnixNano: end, attributes: attributes,
            // A span exported by this server carries the tracetest metadata; one written by hand gets it added.
            hasTracetestMetadata: attributes[TracetestAttributes.name] != nil)
    }

    /// Unix milliseconds as nanoseconds; a value out of range is refused.
    private static func milliseconds(_ value: WireValue?, _ name: String, of span: String, field: String) throws
        -> Int64
    {
        let number: Int64
        switch value {
        case .integer(let integer)?: number = integer
        case .double(let double)? where double.isFinite && abs(double) < 9e12: number = Int64(double)
        case .string(let text)?: number = Int64(text) ?? 0
        case nil, .null?: number = 0
        default:
            throw RunRequestError.invalidRequest("\(field): \(name) of span \(span) must be Unix milliseconds")
        }
        let (nanoseconds, overflow) = number.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else {
            throw RunRequestError.invalidRequest(
                "\(field): \(name) \(number) of span \(span) is out of range (Unix milliseconds)")
        }
        return nanoseconds
    }
}
