/// A selector or expression that does not parse: where (offset, line, column, all counted in Unicode scalars from 0,
/// 1 and 1) and why.
///
/// `description` keeps Tracetest's prefixes (`could not create selector from statement "…": …` and
/// `invalid syntax "…": …`) followed by `line:column: message`.
package struct LanguageError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        case selector
        case expression
    }

    package let kind: Kind
    /// The whole text that was parsed.
    package let input: String
    package let offset: Int
    package let line: Int
    package let column: Int
    package let message: String
    /// The offset the parser reported, before it was bounded to the input (the fuzz tests check it is in range).
    let reportedOffset: Int

    init(kind: Kind, input: String, scalars: [Unicode.Scalar], offset: Int, message: String) {
        self.kind = kind
        self.input = input
        self.message = message
        self.reportedOffset = offset
        let offset = min(max(offset, 0), scalars.count)
        self.offset = offset
        var line = 1
        var lineStart = 0
        for index in 0..<offset where scalars[index] == "\n" {
            line += 1
            lineStart = index + 1
        }
        self.line = line
        self.column = offset - lineStart + 1
    }

    /// The line of the input holding the mistake (at most 80 scalars of it) and a caret under the mistake.
    package var excerpt: String {
        let lines = input.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        let text: [Unicode.Scalar] = line <= lines.count ? Array(lines[line - 1]) : []
        let caret = column - 1
        let start = max(0, min(caret - 40, text.count - 80))
        let end = min(text.count, start + 80)
        var shown = String(String.UnicodeScalarView(text[start..<end]))
        shown = shown.replacingTabs()
        return shown + "\n" + String(repeating: " ", count: caret - start) + "^"
    }

    package var description: String {
        let detail = "\(line):\(column): \(message)"
        switch kind {
        case .selector: return "could not create selector from statement \"\(input)\": \(detail)"
        case .expression: return "invalid syntax \"\(input)\": \(detail)"
        }
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\t" || $0 == "\r" ? " " : $0 }))
    }
}
