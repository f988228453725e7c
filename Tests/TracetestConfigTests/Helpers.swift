import Foundation
import Testing

@testable import TracetestConfig

/// Parses `yaml` as the file `tracetest.yaml` with `environment`.
func parse(_ yaml: String, environment: [String: String] = [:]) throws -> LoadedConfiguration {
    try ConfigurationLoader.parse(yaml: yaml, file: "tracetest.yaml", environment: environment)
}

/// The error parsing `yaml` must throw.
func parseError(
    _ yaml: String,
    environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ConfigurationError {
    try #require(throws: ConfigurationError.self, sourceLocation: sourceLocation) {
        try ConfigurationLoader.parse(yaml: yaml, file: "tracetest.yaml", environment: environment)
    }
}

/// Writes `text` to `path`, creating parent directories.
func write(_ text: String, to path: String, executable: Bool = false) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let created = FileManager.default.createFile(
        atPath: path,
        contents: Data(text.utf8),
        attributes: [.posixPermissions: executable ? 0o755 : 0o644]
    )
    try #require(created, "could not create \(path)")
}
