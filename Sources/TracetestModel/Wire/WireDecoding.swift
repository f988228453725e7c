import Foundation
import Yams

/// Why a JSON or YAML document could not be read, with the position of the mistake.
package struct WireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path, e.g. `spec.trigger.httpRequest.headers[0]`; empty for syntax errors.
    package var path: String
    package var line: Int?
    package var column: Int?
    package var problem: String

    package init(path: String = "", line: Int? = nil, column: Int? = nil, problem: String) {
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
    }

    package var description: String {
        var text = path.isEmpty ? problem : "\(path): \(problem)"
        if let line, let column { text += " (line \(line), column \(column))" }
        return text
    }
}

/// Reads JSON or YAML text into values, reporting positioned errors.
package enum WireDecoding {
    /// The single document in `text`, or nil when the text holds no document.
    package static func document(_ text: String) throws(WireDecodingError) -> Node? {
        try YAMLAliasCheck.check(text)
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw syntaxError(error)
        }
    }

    /// Throws for the first text in `node` (a value or a key) that holds a NUL character, naming its field: neither
    /// database stores one (SQLite cuts the text there, PostgreSQL refuses it).
    package static func checkNoNUL(_ node: Node) throws(WireDecodingError) {
        var pending: [(node: Node, path: String)] = [(node, "")]
        while let (next, path) = pending.popLast() {
            switch next {
            case .scalar(let scalar):
                if scalar.string.unicodeScalars.contains("\u{0}") {
                    throw WireDecodingError(
                        path: path, line: next.mark?.line, column: next.mark?.column,
                        problem: "contains a NUL character (\\u0000), which cannot be stored; remove it")
                }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.string ?? ""
                    let field = path.isEmpty ? name : "\(path).\(name)"
                    if name.unicodeScalars.contains("\u{0}") {
                        throw WireDecodingError(
                            path: path, line: key.mark?.line, column: key.mark?.column,
                            problem: "a key contains a NUL character (\\u0000), which cannot be stored; remove it")
                    }
                    pending.append((value, field))
                }
            case .sequence(let sequence):
                for (index, element) in sequence.enumerated() { pending.append((element, "\(path)[\(index)]")) }
            case .alias:
                break
            }
        }
    }

    /// The document in JSON `text`, read by the JSON parser (so every JSON escape, surrogate pairs included, reads
    /// as JSON defines it), as a node tree like YAML's: strings are `str` scalars, numbers `int` or `float`.
    package static func jsonDocument(_ text: String) throws(WireDecodingError) -> Node {
        do {
            return node(of: try JSONParser.document(text, strictUnicode: true))
        } catch {
            throw WireDecodingError(line: error.line, column: error.column, problem: "invalid JSON: \(error.problem)")
        }
    }

    private static func node(of value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .number(let text):
            let isInteger = !text.contains { $0 == "." || $0 == "e" || $0 == "E" }
            return Node(text, Tag(isInteger ? .int : .float))
        case .string(let text): return Node(text, Tag(.str), .doubleQuoted)
        case .array(let items): return Node(items.map(node(of:)))
        case .object(let fields):
            return Node(fields.map { (Node($0.key, Tag(.str), .doubleQuoted), node(of: $0.value)) })
        }
    }

    /// Every non-empty document of a `---`-separated stream, in order.
    package static func documents(_ text: String) throws(WireDecodingError) -> [Node] {
        try YAMLAliasCheck.check(text)
        do {
            let parser = try Parser(yaml: text)
            var nodes: [Node] = []
            while let node = try parser.nextRoot() {
                if case .scalar(let scalar) = node, scalar.string.isEmpty || isNull(node) { continue }
                nodes.append(node)
            }
            return nodes
        } catch {
            throw syntaxError(error)
        }
    }

    /// Decodes `T` from a parsed document; a type mismatch names the field and where it is.
    package static func decode<T: Decodable>(_ type: T.Type, from node: Node) throws(WireDecodingError) -> T {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let error as DecodingError {
            throw positioned(error, in: node)
        } catch let error as WireDecodingError {
            throw error
        } catch {
            throw WireDecodingError(problem: "\(error)")
        }
    }

    /// Decodes `T` from JSON or YAML text.
    package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(WireDecodingError) -> T {
        guard let node = try document(text) else { throw WireDecodingError(problem: "the document is empty") }
        return try decode(type, from: node)
    }

    static func syntaxError(_ error: any Error) -> WireDecodingError {
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
            YamlError.parser(let context, let problem, let mark, _),
            YamlError.composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return WireDecodingError(line: mark.line, column: mark.column, problem: prefix + problem)
        case YamlError.duplicatedKeysInMapping(let duplicates, _):
            return WireDecodingError(problem: "duplicate keys \(duplicates.sorted().joined(separator: ", "))")
        default:
            return WireDecodingError(problem: "\(error)")
        }
    }

    static func positioned(_ error: DecodingError, in root: Node) -> WireDecodingError {
        let path: [any CodingKey]
        let problem: String
        switch error {
        case .typeMismatch(let type, let context):
            path = context.codingPath
            let found = locate(path, in: root).map(describe) ?? "nothing"
            problem = "expected \(expectation(type)), got \(found)"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            problem = "expected \(expectation(type)), got nothing"
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
            problem = "is required"
        case .dataCorrupted(let context):
            path = context.codingPath
            problem = context.debugDescription
        @unknown default:
            path = []
            problem = "\(error)"
        }
        let mark = nearestMark(path, in: root)
        return WireDecodingError(path: render(path), line: mark?.line, column: mark?.column, problem: problem)
    }

    /// `spec.steps[2].name`
    package static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func locate(_ path: [any CodingKey], in root: Node) -> Node? {
        var node = root
        for key in path {
            if let index = key.intValue, let sequence = node.sequence {
                guard index < sequence.count else { return nil }
                node = sequence[index]
            } else if let mapping = node.mapping, let child = mapping[key.stringValue] {
                node = child
            } else {
                return nil
            }
        }
        return node
    }

    static func nearestMark(_ path: [any CodingKey], in root: Node) -> Mark? {
        var prefix = path
        while true {
            if let mark = locate(prefix, in: root)?.mark { return mark }
            if prefix.isEmpty { return nil }
            prefix.removeLast()
        }
    }

    static func isNull(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.null.rawValue
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return isNull(node) ? "null" : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            return ["Array", "Sequence", "Unkeyed"].contains(where: name.contains) ? "a list" : "a mapping"
        }
    }
}
