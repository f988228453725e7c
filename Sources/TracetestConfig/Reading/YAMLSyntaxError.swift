import Yams

extension ConfigurationError {
    /// A YAML syntax error from Yams, positioned in `file`.
    static func yamlSyntax(_ error: any Error, file: String, yaml: String) -> ConfigurationError {
        guard let error = error as? YamlError else {
            return ConfigurationError(source: .file(file), message: "invalid YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigurationError(source: position(mark, in: file), message: message)
        case .reader(let problem, let offset, _, _):
            let source = offset.map { position(atUTF8Offset: $0, in: yaml, file: file) } ?? .file(file)
            return ConfigurationError(source: source, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return ConfigurationError(
                source: position(context.mark, in: file),
                message: "duplicate key \(keys) in one mapping",
                fix: "write each key once"
            )
        default:
            return ConfigurationError(source: .file(file), message: "invalid YAML: \(error)")
        }
    }

    private static func position(_ mark: Mark, in file: String) -> ConfigurationSource {
        .position(file: file, line: mark.line, column: mark.column)
    }

    private static func position(atUTF8Offset offset: Int, in text: String, file: String) -> ConfigurationSource {
        let before = String(decoding: text.utf8.prefix(offset), as: UTF8.self)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        return .position(file: file, line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}
