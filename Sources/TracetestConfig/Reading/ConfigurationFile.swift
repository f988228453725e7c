import Foundation

/// Finds and reads the server configuration file.
enum ConfigurationFile {
    /// Names tried in each directory, in order.
    static let names = ["tracetest.yaml", "tracetest.yml", "tracetest"]

    /// The first configuration file in `directories` (in order; within one, in `names` order), or `nil`.
    ///
    /// Only regular files count, and the bare name `tracetest` only when it is not executable, so the
    /// `tracetest` binary itself is never read as configuration.
    static func find(in directories: [String]) -> String? {
        for directory in directories where !directory.isEmpty {
            for name in names {
                let path = join(directory, name)
                guard let attributes = attributes(of: path), attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                if name == "tracetest", let permissions = attributes[.posixPermissions] as? Int,
                    permissions & 0o111 != 0
                {
                    continue
                }
                return path
            }
        }
        return nil
    }

    /// The text of the file at `path`; errors name the file as `shownAs`.
    static func read(_ path: String, shownAs shown: String) throws(ConfigurationError) -> String {
        guard let attributes = attributes(of: path) else {
            throw ConfigurationError(
                source: .file(shown),
                message: "configuration file not found",
                fix: "check the path given with --config (relative paths start from the working directory)"
            )
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ConfigurationError(
                source: .file(shown), message: "not a regular file; expected a YAML configuration file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(
                source: .file(shown),
                message: "could not read the configuration file (\(error.localizedDescription))",
                fix: "check that the server's user may read it"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(source: .file(shown), message: "the configuration file is not UTF-8 text")
        }
        return text
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
    }

    /// Attributes of what `path` points to (symbolic links followed), or `nil` when nothing is there.
    private static func attributes(of path: String) -> [FileAttributeKey: Any]? {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return try? FileManager.default.attributesOfItem(atPath: target)
    }
}
