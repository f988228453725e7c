import Foundation

/// The browser UI (issue 19): plain HTML, CSS and JavaScript modules from `Sources/TracetestWebUI/ui`, embedded in the
/// binary by `scripts/generate-web-ui`. `index.html` answers every page route; the other files are under `static/`.
package struct WebUI: Sendable {
    /// A file to answer with.
    package struct Asset: Sendable, Equatable {
        package var contentType: String
        package var body: String
    }

    /// `/prefix` of `server.pathPrefix`, or empty.
    let prefix: String
    /// When set, files are read from this directory on each request instead of from the binary (UI development).
    let directory: String?

    package init(pathPrefix: String, directory: String? = nil) {
        let trimmed = pathPrefix.split(separator: "/").joined(separator: "/")
        prefix = trimmed.isEmpty ? "" : "/" + trimmed
        self.directory = directory
    }

    /// The answer to a GET of `path` (the URL's path), or nil when the path is none of the UI's.
    package func asset(forPath path: String) -> Asset? {
        guard let rest = relative(path) else { return nil }
        if Self.isPage(rest) {
            guard let index = file("index.html") else { return nil }
            let base = index.replacingOccurrences(of: #"<base href="/">"#, with: #"<base href="\#(prefix)/">"#)
            return Asset(contentType: Self.contentType(of: "index.html"), body: base)
        }
        guard rest.hasPrefix("/static/") else { return nil }
        let name = String(rest.dropFirst("/static/".count))
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            let body = file(name)
        else { return nil }
        return Asset(contentType: Self.contentType(of: name), body: body)
    }

    /// The path below the prefix (`""` for the prefix itself), or nil when the path is outside it.
    private func relative(_ path: String) -> String? {
        guard !prefix.isEmpty else { return path }
        if path == prefix { return "" }
        guard path.hasPrefix(prefix + "/") else { return nil }
        return String(path.dropFirst(prefix.count))
    }

    private func file(_ name: String) -> String? {
        guard let directory else { return Self.files[name] }
        return try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    /// The page routes of the UI, as upstream's: `/tests`, `/test/:id`, `/test/:id/run/:runId/:mode`, …
    static func isPage(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (parts.first, parts.count) {
        case (nil, _): return true
        case ("tests", 1), ("testsuites", 1), ("variablesets", 1), ("settings", 1): return true
        case ("test", 2), ("testsuite", 2): return true
        case ("test", 4), ("testsuite", 4): return parts[2] == "run"
        case ("test", 5): return parts[2] == "run" && ["trigger", "trace", "test", "automate"].contains(parts[4])
        default: return false
        }
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "text/plain; charset=utf-8"
        }
    }
}
