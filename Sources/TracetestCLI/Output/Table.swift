/// A borderless table (cli.md §4): a header row, a divider of `-` runs, then the rows. Every cell is padded by one
/// space each side, a column is as wide as its widest cell plus two, and the divider run of a column is one dash
/// shorter than the column except for the last, so the runs are separated by a space. A cell with several lines
/// makes its row several lines high.
struct Table {
    var headers: [String]
    var rows: [[String]]

    var text: String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] })
                .flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
                .map(\.count).max() ?? 0
        }
        var lines: [String] = [render(headers, widths)]
        lines.append(
            widths.enumerated().map { index, width in
                String(repeating: "-", count: index == widths.count - 1 ? width + 2 : width + 1)
            }.joined(separator: " "))
        for row in rows { lines.append(render(row, widths)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table in GitHub-flavoured Markdown: `|`-separated cells, `|` escaped, lines joined by `<br>`.
    var markdown: String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map(Self.markdownCell).joined(separator: " | ") + " |"
        }
        let divider = "|" + String(repeating: "---|", count: headers.count)
        return ([row(headers), divider] + rows.map(row)).joined(separator: "\n") + "\n"
    }

    /// `text` as one Markdown table cell.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }

    private func render(_ cells: [String], _ widths: [Int]) -> String {
        let split = cells.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let height = max(1, split.map(\.count).max() ?? 1)
        return (0..<height).map { line in
            split.enumerated().map { column, cellLines in
                let text = line < cellLines.count ? cellLines[line] : ""
                return " " + text + String(repeating: " ", count: widths[column] - text.count) + " "
            }.joined()
        }.joined(separator: "\n")
    }
}
