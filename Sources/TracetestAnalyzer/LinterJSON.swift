import TracetestModel

extension LinterResult {
    /// The result as compact JSON: the same text as `wireValue.jsonText`, written directly into bytes, which is much
    /// faster for large traces (100,000 spans give about 30 MB).
    package var jsonText: String {
        var writer = JSONBytes()
        writer.bytes.reserveCapacity(64 + plugins.reduce(0) { $0 + $1.rules.reduce(0) { $0 + 48 * $1.results.count } })
        writer.write(self)
        return writer.text
    }

    /// The result without the rules' span results (`"results":[]`), as run lists show it.
    package var summaryJSONText: String {
        var writer = JSONBytes()
        writer.write(self, withSpanResults: false)
        return writer.text
    }
}

extension JSONBytes {
    mutating func write(_ result: LinterResult, withSpanResults: Bool = true) {
        raw(#"{"minimumScore":"#)
        integer(result.minimumScore)
        raw(#","passed":"#)
        bool(result.passed)
        raw(#","score":"#)
        integer(result.score)
        raw(#","plugins":["#)
        for (index, plugin) in result.plugins.enumerated() {
            if index > 0 { raw(",") }
            write(plugin, withSpanResults: withSpanResults)
        }
        raw("]}")
    }

    mutating func write(_ plugin: LinterResult.Plugin, withSpanResults: Bool) {
        raw(#"{"name":"#)
        string(plugin.name)
        raw(#","description":"#)
        string(plugin.description)
        raw(#","passed":"#)
        bool(plugin.passed)
        raw(#","score":"#)
        integer(plugin.score)
        raw(#","rules":["#)
        for (index, rule) in plugin.rules.enumerated() {
            if index > 0 { raw(",") }
            write(rule, withSpanResults: withSpanResults)
        }
        raw("]}")
    }

    mutating func write(_ rule: LinterResult.Rule, withSpanResults: Bool) {
        raw(#"{"id":"#)
        string(rule.id)
        raw(#","name":"#)
        string(rule.name)
        raw(#","description":"#)
        string(rule.description)
        raw(#","errorDescription":"#)
        string(rule.errorDescription)
        raw(#","passed":"#)
        bool(rule.passed)
        raw(#","weight":"#)
        integer(rule.weight)
        raw(#","tips":"#)
        strings(rule.tips)
        raw(#","level":"#)
        string(rule.level.rawValue)
        raw(#","results":["#)
        for (index, result) in rule.results.enumerated() where withSpanResults {
            if index > 0 { raw(",") }
            write(result)
        }
        raw("]}")
    }

    mutating func write(_ result: LinterResult.SpanResult) {
        raw(#"{"spanId":"#)
        string(result.spanID)
        raw(#","passed":"#)
        bool(result.passed)
        if let severity = result.severity {
            raw(#","severity":"#)
            string(severity.rawValue)
        }
        if !result.errors.isEmpty {
            raw(#","errors":["#)
            for (index, error) in result.errors.enumerated() {
                if index > 0 { raw(",") }
                raw(#"{"value":"#)
                string(error.value)
                if let expected = error.expected {
                    raw(#","expected":"#)
                    string(expected)
                }
                raw(#","description":"#)
                string(error.description)
                raw(#","suggestions":"#)
                strings(error.suggestions)
                raw("}")
            }
            raw("]")
        }
        raw("}")
    }
}
