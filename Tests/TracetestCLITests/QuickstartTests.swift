import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The README's "First minute", as a new user types it: a fresh server with the quickstart configuration, and the
/// quickstart test run right after `serve &`, before the server has finished starting.
@Suite("Quickstart")
struct QuickstartTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/quickstart")

    /// Writes the example files with their ports (11633, 4317, 4318) replaced by free ones; returns the API's port.
    static func writeQuickstart(in directory: String) throws -> Int {
        let (api, grpc, http) = (try unusedPort(), try unusedPort(), try unusedPort())
        let configuration = try String(
            contentsOf: examples.appendingPathComponent("tracetest.yaml"), encoding: .utf8
        )
        .replacingOccurrences(of: "httpPort: 11633", with: "httpPort: \(api)")
        .replacingOccurrences(of: "localhost:4317", with: "localhost:\(grpc)")
        let test = try String(contentsOf: examples.appendingPathComponent("list-tests.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "localhost:11633", with: "localhost:\(api)")
        #expect(configuration.contains("localhost:\(grpc)") && test.contains("localhost:\(api)"))
        try write(
            configuration + "otlpServer:\n  grpcPort: \(grpc)\n  httpPort: \(http)\n", to: "tracetest.yaml",
            in: directory)
        try write(test, to: "list-tests.yaml", in: directory)
        return api
    }

    @Test("the quickstart passes 10 times in 10, run right after a fresh server starts")
    func quickstartRightAfterStart() async throws {
        for attempt in 1...10 {
            try await withTemporaryDirectory { directory in
                let port = try Self.writeQuickstart(in: directory)
                let server = try ServerProcess(["serve", "--config", "tracetest.yaml"], in: directory)
                let result = try await tracetest(
                    ["run", "test", "-f", "list-tests.yaml", "--server-url", "http://localhost:\(port)"],
                    in: directory)
                server.signal(SIGTERM)
                let status = try await server.waitForExit()
                #expect(result.exitCode == 0, "attempt \(attempt): \(result)\nserver log:\n\(server.log)")
                #expect(result.stdout.contains("✔ List tests, traced by the server itself"), "\(result)")
                #expect(status == 0)
                #expect(!server.log.contains("cannot export spans"), "attempt \(attempt): \(server.log)")
            }
        }
    }
}
