import TracetestCompute
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

    /// Spans per part when the span bodies are written in parallel.
    static let partSize = 4_096

    static func text(_ trace: Trace) -> String {
        // Each span's fields are written once (in parts, on the compute pool's threads) and copied into the tree
        // and into `flat`.
        let count = trace.spans.count
        let parts = (count + partSize - 1) / partSize
        let bodies = ComputePool.shared.map(parts) { part in
            (part * partSize..<min(count, (part + 1) * partSize)).map { index in
                body(of: trace.spans[index], parent: index == 0 ? nil : trace.spans[trace.parents[index]].id)
            }
        }.flatMap { $0 }
        var output = "{\"traceId\":\"\(trace.traceID.hex)\",\"tree\":"
        output.reserveCapacity(bodies.reduce(0) { $0 + $1.utf8.count } * 2 + count * 40 + 64)
        var open: [Int] = []
        for index in bodies.indices {
            if index > 0, trace.parents[index] + 1 != index { output += "," }
            output += bodies[index]
            output += ",\"children\":["
            if trace.subtreeEnds[index] == index + 1 {
                output += "]}"
                while let end = open.last, end == index + 1 {
                    output += "]}"
                    open.removeLast()
                }
            } else {
                open.append(trace.subtreeEnds[index])
            }
        }
        output += ",\"flat\":{"
        for index in bodies.indices {
            if index > 0 { output += "," }
            output += "\"\(trace.spans[index].id.hex)\":"
            output += bodies[index]
            output += "}"
        }
        return output + "}}"
    }

    /// The span's fields up to its attributes, leaving the object open.
    private static func body(of span: Span, parent: SpanID?) -> String {
        var output = "{\"id\":\"\(span.id.hex)\",\"parentId\":\"\(parent?.hex ?? "")\",\"name\":"
        WireValue.writeJSONString(span.name, into: &output)
        output += ",\"kind\":\"\(span.kind.rawValue)\""
        output += ",\"startTime\":\(span.startTimeUnixNano / 1_000_000),\"endTime\":\(span.endTimeUnixNano / 1_000_000)"
        output += ",\"attributes\":{"
        var first = true
        for (key, value) in span.attributes.sorted(by: { $0.key < $1.key }) {
            if !first { output += "," }
            first = false
            WireValue.writeJSONString(key, into: &output)
            output += ":"
            if key == TracetestAttributes.duration, let nanoseconds = Int64(value) {
                WireValue.writeJSONString(DurationText.upstreamText(nanoseconds), into: &output)
            } else {
                WireValue.writeJSONString(value, into: &output)
            }
        }
        output += "}"
        return output
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
            throw RunRequestError.invalidRequest("\(field): \(name) \(number) of span \(span) is out of range (Unix milliseconds)")
        }
        return nanoseconds
    }
}
