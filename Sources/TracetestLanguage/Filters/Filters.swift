import TracetestModel

// The filters of language.md §4.7 (`value | name arg…`), applied left to right.
enum Filters {
    private enum Name: String {
        case jsonPath = "json_path"
        case regex
        case regexGroup = "regex_group"
        case getIndex = "get_index"
        case length
        case type
    }

    static func apply(_ name: String, to input: Value, arguments: [TypedValue]) throws(EvaluationError) -> Value {
        guard let filter = Name(rawValue: name) else {
            throw EvaluationError(.resolution, "filter \"\(name)\" not found")
        }
        do throws(FilterFailure) {
            switch filter {
            case .jsonPath: return try jsonPath(input, pattern: try only(arguments))
            case .regex: return try regex(input, pattern: try only(arguments), groups: false)
            case .regexGroup: return try regex(input, pattern: try only(arguments), groups: true)
            case .getIndex: return try index(input, try only(arguments))
            case .length:
                try expect(arguments, count: 0)
                return try length(input)
            case .type:
                try expect(arguments, count: 0)
                return .single(TypedValue(text: input.typeName, type: .string))
            }
        } catch {
            throw EvaluationError(.filter, "\(name): \(error.message)")
        }
    }

    // Whether the filter uses only its input's text, not its type.
    static func readsTextOnly(_ name: String) -> Bool {
        name == Name.jsonPath.rawValue || name == Name.regex.rawValue || name == Name.regexGroup.rawValue
    }

    struct FilterFailure: Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private static func expect(_ arguments: [TypedValue], count: Int) throws(FilterFailure) {
        guard arguments.count == count else {
            throw FilterFailure("wrong number of args. Expected \(count), got \(arguments.count)")
        }
    }

    private static func only(_ arguments: [TypedValue]) throws(FilterFailure) -> String {
        try expect(arguments, count: 1)
        return arguments[0].text
    }

    private static func single(_ input: Value) throws(FilterFailure) -> String {
        switch input {
        case .single(let value): return value.text
        case .empty: return ""
        case .array: throw FilterFailure("cannot process array of json objects")
        }
    }

    // No result is nothing, one is a value, several are a list.
    private static func results(_ texts: [String], noneIsEmptyList: Bool) -> Value {
        switch texts.count {
        case 0: return noneIsEmptyList ? .array([]) : .empty
        case 1: return .inferring(texts[0])
        default: return .array(texts.map(TypedValue.init(inferring:)))
        }
    }

    private static func jsonPath(_ input: Value, pattern: String) throws(FilterFailure) -> Value {
        let text = try single(input)
        let path = try PatternCache.jsonPath(pattern)
        let parsed = if case .single(let value) = input { value.json } else { JSONParser.parse(text) }
        guard let document = parsed else { throw FilterFailure("invalid JSON input: \(text)") }
        return results(path.select(in: document).map(\.plainText), noneIsEmptyList: false)
    }

    private static func regex(_ input: Value, pattern: String, groups: Bool) throws(FilterFailure) -> Value {
        let text = try single(input)
        let expression = try PatternCache.regex(pattern)
        let matches: [[String?]]
        do {
            matches = try expression.allMatches(in: text)
        } catch {
            throw FilterFailure(error.message)
        }
        var found: [String] = []
        for match in matches {
            if groups {
                found += match.dropFirst().map { $0 ?? "" }
            } else {
                found.append(match[0] ?? "")
            }
        }
        return results(found, noneIsEmptyList: true)
    }

    private static func index(_ input: Value, _ argument: String) throws(FilterFailure) -> Value {
        let items = input.items
        let position: Int
        if argument == "last" {
            position = items.count - 1
        } else if let number = Int(argument) {
            position = number
        } else {
            throw FilterFailure("index must be an integer")
        }
        guard items.indices.contains(position) else {
            throw FilterFailure("index out of boundaries: \(position) out of \(items.count)")
        }
        return .single(items[position])
    }

    private static func length(_ input: Value) throws(FilterFailure) -> Value {
        let count: Int
        switch input {
        case .array(let items): count = items.count
        case .empty: count = 0
        case .single(let value):
            guard value.type == .string else {
                throw FilterFailure("unsupported type: expected array or string, got \(value.type.rawValue)")
            }
            count = value.text.utf8.count
        }
        return .single(TypedValue(text: String(count), type: .number))
    }
}

extension Value {
    // What the `type` filter answers.
    var typeName: String {
        switch self {
        case .array: return "array"
        case .empty: return "nil"
        case .single(let value): return value.type.rawValue
        }
    }
}
