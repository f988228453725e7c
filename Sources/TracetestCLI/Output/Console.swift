import Foundation

/// Where the CLI writes: results on standard output, errors, warnings and debug lines on standard error.
///
/// Colour is used only when standard output is a terminal and `NO_COLOR` is unset (DECISIONS.md).
struct Console: Sendable {
    var verbose: Bool
    let colour: Bool

    init(verbose: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.verbose = verbose
        colour = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil
    }

    /// Writes `text` to standard output as it is.
    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` and a line feed to standard output.
    func line(_ text: String = "") {
        write(text + "\n")
    }

    func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func warning(_ text: String) {
        error(paint("WARN", .yellow) + " " + text)
    }

    func info(_ text: String) {
        error(paint("INFO", .blue) + " " + text)
    }

    func debug(_ text: @autoclosure () -> String) {
        guard verbose else { return }
        error(paint("DEBUG", .magenta) + " " + text())
    }

    enum Colour: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case magenta = "35"
    }

    /// `text` in `colour` when colour is on.
    func paint(_ text: String, _ colour: Colour) -> String {
        guard self.colour, !text.isEmpty else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }

    /// Each line of `text` green (passed) or red (failed) when colour is on; the line structure is kept.
    func paintLines(_ text: String, passed: Bool) -> String {
        guard colour else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { paint(String($0), passed ? .green : .red) }
            .joined(separator: "\n")
    }

    /// Whether a person can answer questions on standard input.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }
}
