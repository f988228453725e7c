import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The web UI in a real browser: `Tests/Browser/ui_test.py` drives Debian's chromium through selenium against a
/// server of this process and the demo app (create a test from the form, run it, see its spans, add a spec from a
/// span, settings kept after a reload, a CLI-printed link, variable sets, suites; no JavaScript errors on any page),
/// once at the root on SQLite and once under a path prefix on PostgreSQL. Screenshots of failures are written to
/// `$TMPDIR/tracetest-ui-screenshots`.
@Suite("Web UI in a browser", .serialized)
struct WebUIBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/ui_test.py").path

    @Test(
        "every page works in chromium, at the root and under server.pathPrefix",
        arguments: [(TestBackend.sqlite, ""), (TestBackend.postgresql, "/tracetest")])
    func browser(backend: TestBackend, prefix: String) async throws {
        let screenshots = FileManager.default.temporaryDirectory
            .appendingPathComponent("tracetest-ui-screenshots/\(backend)").path
        try await withTestConfiguration(backend) { base in
            var configuration = base
            configuration.server.pathPrefix = prefix
            try await withRunningServer(configuration) { api in
                let otlp = try #require(api.otlpGRPCPort)
                try await Python.withDemoApp(otlpPort: otlp) { demo in
                    let output = try await Python.run(
                        Self.script,
                        [
                            "--server", "http://127.0.0.1:\(api.port)\(prefix)/", "--demo", "http://127.0.0.1:\(demo)",
                            "--screenshots", screenshots,
                        ])
                    let lines = output.split(separator: "\n")
                    #expect(lines.contains { $0.hasPrefix("PASS ") }, "\(output)")
                    #expect(!lines.contains { $0.hasPrefix("FAIL ") }, "\(output)")
                }
            }
        }
    }

    @Test(
        "on a server with server.auth.token the UI asks for the token once, again after a wrong one, keeps it and sends it for a download"
    )
    func apiToken() async throws {
        try await withTestConfiguration(.sqlite) { base in
            var configuration = base
            configuration.server.authToken = "s3cret"
            try await withRunningServer(configuration) { api in
                let output = try await Python.run(
                    Self.script,
                    [
                        "--server", "http://127.0.0.1:\(api.port)/", "--demo", "http://127.0.0.1:1/", "--token",
                        "s3cret", "--screenshots",
                        FileManager.default.temporaryDirectory.appendingPathComponent("tracetest-ui-screenshots/token")
                            .path,
                    ])
                #expect(output.contains("PASS api-token"), "\(output)")
            }
        }
    }
}
