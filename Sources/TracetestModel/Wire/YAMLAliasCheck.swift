import CYaml

/// Reads a YAML text's events (libyaml's, which Yams is built on) before it is composed into nodes, refusing the
/// aliases that make a small text huge: aliases cost nothing to compose, but every reader of the nodes walks each
/// alias in full, so a 1 MB text can expand to gigabytes (a "billion laughs"). Composing also hashes every mapping
/// key, so a key that is a list, a mapping or an alias is refused outright.
enum YAMLAliasCheck {
    static let maximumAliases = 10_000
    /// Nodes and text bytes that aliases may add, over what the text itself holds.
    static let maximumAliasedNodes = 1_000_000
    static let maximumAliasedBytes = 32 * 1024 * 1024

    /// Throws when `text` uses aliases beyond the limits or has a mapping key that is not a scalar. Syntax errors
    /// are left to the composer, which reports them with their position.
    static func check(_ text: String) throws(WireDecodingError) {
        var text = text
        let failure: WireDecodingError? = text.withUTF8 { bytes in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var walk = Walk()
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if let failure = walk.read(event) { return failure }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Node and byte counts, as the composed document's readers would see them.
    private struct Size {
        var nodes = 0
        var bytes = 0
    }

    private struct Walk {
        struct Open {
            var isMapping: Bool
            var anchor: String?
            var start: Size
            var childCount = 0
        }

        var anchors: [String: Size] = [:]
        var open: [Open] = []
        var total = Size()
        var aliased = Size()
        var aliasCount = 0

        mutating func read(_ event: yaml_event_t) -> WireDecodingError? {
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            func failure(_ problem: String) -> WireDecodingError {
                WireDecodingError(line: line, column: column, problem: problem)
            }
            let isKey = open.last.map { $0.isMapping && $0.childCount % 2 == 0 } ?? false
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                anchors = [:]
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                if isKey { return failure("an alias (*\(name)) cannot be a mapping key; write the key out") }
                let size = anchors[name] ?? Size()
                aliasCount += 1
                aliased.nodes += size.nodes
                aliased.bytes += size.bytes
                total.nodes += size.nodes
                total.bytes += size.bytes
                if aliasCount > maximumAliases || aliased.nodes > maximumAliasedNodes
                    || aliased.bytes > maximumAliasedBytes
                {
                    return failure(
                        "the document's aliases (*\(name) and \(aliasCount - 1) before it) expand it beyond "
                            + "\(maximumAliases) aliases, \(maximumAliasedNodes) nodes or "
                            + "\(maximumAliasedBytes / 1024 / 1024) MiB; write the repeated parts out or use fewer aliases"
                    )
                }
                childAdded()
            case YAML_SCALAR_EVENT:
                total.nodes += 1
                total.bytes += Int(event.data.scalar.length)
                if let anchor = event.data.scalar.anchor {
                    anchors[String(cString: anchor)] = Size(nodes: 1, bytes: Int(event.data.scalar.length))
                }
                childAdded()
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if isKey { return failure("a mapping key must be a single value, not a list or a mapping") }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                total.nodes += 1
                open.append(Open(isMapping: isMapping, anchor: anchor.map { String(cString: $0) }, start: total))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { break }
                if let anchor = closed.anchor {
                    anchors[anchor] = Size(
                        nodes: total.nodes - closed.start.nodes + 1, bytes: total.bytes - closed.start.bytes)
                }
                childAdded()
            default:
                break
            }
            return nil
        }

        private mutating func childAdded() {
            if !open.isEmpty { open[open.count - 1].childCount += 1 }
        }
    }
}
