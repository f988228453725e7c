import Foundation
import TestSupport
import Testing

@testable import TracetestConfig

@Suite struct FileSearchTests {
    /// Directories standing in for `/etc/tracetest`, `$HOME` and the working directory.
    struct Layout {
        var root: String
        var system: String { root + "/etc/tracetest" }
        var home: String { root + "/home" }
        var homeConfig: String { home + "/.tracetest" }
        var work: String { root + "/work" }

        init(root: String) throws {
            self.root = root
            for directory in [system, homeConfig, work] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }

        func load(explicitPath: String? = nil, environment: [String: String] = [:]) throws -> LoadedConfiguration {
            try ConfigurationLoader.load(
                explicitPath: explicitPath,
                environment: environment,
                homeDirectory: home,
                workingDirectory: work,
                systemDirectory: system
            )
        }
    }

    /// A file whose port says which file was read.
    static func config(port: Int) -> String { "server:\n  httpPort: \(port)\n" }

    @Test func noFileGivesDefaultsAndTheEnvironment() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            let loaded = try layout.load(environment: ["TRACETEST_SERVER_HTTPPORT": "1234"])
            #expect(loaded.file == nil)
            #expect(loaded.configuration == ServerConfiguration(server: ServerSettings(httpPort: 1234)))
        }
    }

    @Test func workingDirectoryFileIsFound() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 3), to: layout.work + "/tracetest.yaml")
            let loaded = try layout.load()
            #expect(loaded.file == layout.work + "/tracetest.yaml")
            #expect(loaded.configuration.server.httpPort == 3)
        }
    }

    @Test func directoriesAreSearchedSystemThenHomeThenWorking() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 3), to: layout.work + "/tracetest.yaml")
            try write(Self.config(port: 2), to: layout.homeConfig + "/tracetest.yml")
            #expect(try layout.load().configuration.server.httpPort == 2)
            try write(Self.config(port: 1), to: layout.system + "/tracetest")
            let loaded = try layout.load()
            #expect(loaded.configuration.server.httpPort == 1)
            #expect(loaded.file == layout.system + "/tracetest")
        }
    }

    @Test func namesAreTriedYamlThenYmlThenBare() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 3), to: layout.work + "/tracetest")
            #expect(try layout.load().configuration.server.httpPort == 3)
            try write(Self.config(port: 2), to: layout.work + "/tracetest.yml")
            #expect(try layout.load().configuration.server.httpPort == 2)
            try write(Self.config(port: 1), to: layout.work + "/tracetest.yaml")
            #expect(try layout.load().configuration.server.httpPort == 1)
        }
    }

    @Test func executableBareTracetestIsNotConfiguration() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write("\u{7F}ELF binary: [", to: layout.work + "/tracetest", executable: true)
            let loaded = try layout.load()
            #expect(loaded.file == nil)
            #expect(loaded.configuration == ServerConfiguration())

            try write(Self.config(port: 2), to: layout.homeConfig + "/tracetest")
            #expect(try layout.load().file == layout.homeConfig + "/tracetest")
        }
    }

    @Test func directoriesWithConfigurationNamesAreSkipped() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try FileManager.default.createDirectory(
                atPath: layout.system + "/tracetest.yaml", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                atPath: layout.work + "/tracetest", withIntermediateDirectories: true)
            try write(Self.config(port: 3), to: layout.work + "/tracetest.yml")
            #expect(try layout.load().file == layout.work + "/tracetest.yml")
        }
    }

    @Test func symbolicLinksToFilesAreFollowed() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 7), to: root + "/real.yaml")
            try FileManager.default.createSymbolicLink(
                atPath: layout.work + "/tracetest.yaml", withDestinationPath: root + "/real.yaml")
            #expect(try layout.load().configuration.server.httpPort == 7)
        }
    }

    @Test func explicitPathWinsOverTheSearch() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 1), to: layout.system + "/tracetest.yaml")
            try write(Self.config(port: 9), to: root + "/custom.yaml")
            let loaded = try layout.load(explicitPath: root + "/custom.yaml")
            #expect(loaded.file == root + "/custom.yaml")
            #expect(loaded.configuration.server.httpPort == 9)
        }
    }

    @Test func relativeExplicitPathStartsFromTheWorkingDirectory() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 9), to: layout.work + "/conf/tracetest-config.yaml")
            let loaded = try layout.load(explicitPath: "conf/tracetest-config.yaml")
            #expect(loaded.file == "conf/tracetest-config.yaml")
            #expect(loaded.configuration.server.httpPort == 9)
        }
    }

    @Test func missingExplicitFileIsAnErrorNamingThePath() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write(Self.config(port: 1), to: layout.work + "/tracetest.yaml")
            let error = try #require(throws: ConfigurationError.self) {
                try layout.load(explicitPath: "missing.yaml")
            }
            #expect(error.source == .file("missing.yaml"))
            #expect(
                error.description
                    == "missing.yaml: configuration file not found; check the path given with --config "
                    + "(relative paths start from the working directory)"
            )
        }
    }

    @Test func explicitDirectoryIsAnError() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            let error = try #require(throws: ConfigurationError.self) { try layout.load(explicitPath: root) }
            #expect(error.description == "\(root): not a regular file; expected a YAML configuration file")
        }
    }

    @Test func errorsInAFoundFileNameItsPath() async throws {
        try await withTemporaryDirectory { root in
            let layout = try Layout(root: root)
            try write("server:\n  httpPort: abc\n", to: layout.homeConfig + "/tracetest.yaml")
            let error = try #require(throws: ConfigurationError.self) { try layout.load() }
            #expect(error.source == .position(file: layout.homeConfig + "/tracetest.yaml", line: 2, column: 13))
        }
    }
}
