import TracetestModel

/// Reads a run's `trace` in wire form (`{traceId, tree, flat}`, as `TraceDocument` writes it) back into spans, for
/// imported runs and the legacy run update. Times come from `tracetest.span.start_time` / `end_time` when present
/// (nanoseconds), else from `startTime` / `endTime` (milliseconds); a duration shown as text (`12ms`) is stored as
/// nanoseconds again.
enum WireTrace {
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
            throw APIError.badRequest("\(field): span id \"\(idText)\" is not 16 hexadecimal digits")
        }
        var parentID: SpanID?
        if let parentText = value["parentId"]?.stringValue, !parentText.isEmpty {
            guard let parent = SpanID(hex: parentText) else {
                throw APIError.badRequest(
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
            throw APIError.badRequest("\(field): \(name) of span \(span) must be Unix milliseconds")
        }
        let (nanoseconds, overflow) = number.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else {
            throw APIError.badRequest("\(field): \(name) \(number) of span \(span) is out of range (Unix milliseconds)")
        }
        return nanoseconds
    }
}
