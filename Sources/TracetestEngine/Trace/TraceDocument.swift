import TracetestLanguage
import TracetestModel

/// The `trace` of a run in wire form: `{traceId, tree, flat}`, each span `{id, parentId, name, kind, startTime,
/// endTime, attributes, children}` with times in Unix milliseconds and `tracetest.span.duration` shown as a duration
/// (`12ms`). `flat` entries carry no children. Written without recursion, so any depth works.
package enum TraceDocument {
    package static func json(_ trace: Trace) -> String {
        var output = "{\"traceId\":\"\(trace.traceID.hex)\",\"tree\":"
        output.reserveCapacity(trace.count * 600)
        var open: [Int] = []
        for index in trace.spans.indices {
            if index > 0, trace.parents[index] + 1 != index { output += "," }
            write(trace.spans[index], parent: index == 0 ? nil : trace.spans[trace.parents[index]].id, into: &output)
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
        for index in trace.spans.indices {
            if index > 0 { output += "," }
            let span = trace.spans[index]
            output += "\"\(span.id.hex)\":"
            write(span, parent: index == 0 ? nil : trace.spans[trace.parents[index]].id, into: &output)
            output += "}"
        }
        return output + "}}"
    }

    /// The span's fields up to its attributes, leaving the object open.
    private static func write(_ span: Span, parent: SpanID?, into output: inout String) {
        output += "{\"id\":\"\(span.id.hex)\",\"parentId\":\"\(parent?.hex ?? "")\",\"name\":"
        WireValue.string(span.name).writeJSON(into: &output)
        output += ",\"kind\":\"\(span.kind.rawValue)\""
        output += ",\"startTime\":\(span.startTimeUnixNano / 1_000_000),\"endTime\":\(span.endTimeUnixNano / 1_000_000)"
        output += ",\"attributes\":{"
        var first = true
        for key in span.attributes.keys.sorted() {
            var value = span.attributes[key] ?? ""
            if key == TracetestAttributes.duration, let nanoseconds = Int64(value) {
                value = DurationText.upstreamText(nanoseconds)
            }
            if !first { output += "," }
            first = false
            WireValue.string(key).writeJSON(into: &output)
            output += ":"
            WireValue.string(value).writeJSON(into: &output)
        }
        output += "}"
    }
}
