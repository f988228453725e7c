/// Why an analyzer cannot be run; the run engine ends the run in `ANALYZING_ERROR` with this text.
package enum LinterError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPlugin(String)
    case unknownRule(plugin: String, rule: String)
    case unknownErrorLevel(rule: String, level: String)

    package var description: String {
        switch self {
        case .unknownPlugin(let plugin):
            let known = Catalogue.pluginIDs.joined(separator: ", ")
            return "analyzer plugin \"\(plugin)\" does not exist (plugins: \(known))"
        case .unknownRule(let plugin, let rule):
            let known = Catalogue.ruleIDs(of: plugin).joined(separator: ", ")
            return "analyzer plugin \"\(plugin)\" has no rule \"\(rule)\" (its rules: \(known))"
        case .unknownErrorLevel(let rule, let level):
            return "analyzer rule \"\(rule)\" has error level \"\(level)\" (levels: error, warning, disabled)"
        }
    }
}
