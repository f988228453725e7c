import AsyncHTTPClient
import Foundation
import NIOSSL
import ServerTestSupport
import TestSupport
import Testing
import TracetestConfig

/// `server.tls`: the API over HTTPS, its certificate reloaded on SIGHUP.
@Suite("API over TLS")
struct APITLSTests {
    @Test("with server.tls the API answers over HTTPS only, to the CLI too; SIGHUP loads a renewed certificate")
    func https() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            try await withTemporaryDirectory { directory in
                let first = try await selfSignedCertificate(in: directory)
                let (certificate, key) = (directory + "/api-cert.pem", directory + "/api-key.pem")
                try FileManager.default.copyItem(atPath: first.certificate, toPath: certificate)
                try FileManager.default.copyItem(atPath: first.key, toPath: key)
                try Self.configuration(configuration, tls: "    certFile: \(certificate)\n    keyFile: \(key)\n")
                    .write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                let server = try ServerProcess(["serve"], in: directory)
                let port = try await server.waitUntilListening()
                try await server.waitForLog("HTTP API listening on port \(port) (TLS)")

                #expect(try await Self.status(port, "/api/tests", trusting: first.certificate) == 200)
                let plain = await #expect(throws: (any Error).self) { try await TestAPI(port: port).get("/api/tests") }
                #expect(plain != nil, "plain HTTP is not served")
                let cli = try await runProcess(
                    ServerProcess.binary,
                    ["list", "test", "--server-url", "https://127.0.0.1:\(port)", "--skip-verify", "-o", "json"])
                #expect(cli.status == 0, "\(String(decoding: cli.errors, as: UTF8.self))")

                // A renewed certificate (another key) replaces the files; SIGHUP makes new connections use it.
                try FileManager.default.createDirectory(
                    atPath: directory + "/renewed", withIntermediateDirectories: true)
                let renewed = try await selfSignedCertificate(in: directory + "/renewed")
                await #expect(throws: (any Error).self) {
                    try await Self.status(port, "/api/tests", trusting: renewed.certificate)
                }
                for (from, to) in [(renewed.certificate, certificate), (renewed.key, key)] {
                    try FileManager.default.removeItem(atPath: to)
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                }
                server.signal(SIGHUP)
                try await server.waitForLog("reloaded the API's TLS certificate")
                #expect(try await Self.status(port, "/api/tests", trusting: renewed.certificate) == 200)

                // A broken file on reload keeps the certificate in use.
                try "not a certificate".write(toFile: certificate, atomically: true, encoding: .utf8)
                server.signal(SIGHUP)
                try await server.waitForLog("is not a readable PEM certificate")
                #expect(try await Self.status(port, "/api/tests", trusting: renewed.certificate) == 200)
                server.signal(SIGTERM)
                #expect(try await server.waitForExit() == 0)
            }
        }
    }

    @Test("server.tls with one file, or a file that is not PEM, stops start-up saying which")
    func badSettings() async throws {
        try await withTestConfiguration(.sqlite) { configuration in
            try await withTemporaryDirectory { directory in
                try "junk".write(toFile: directory + "/junk.pem", atomically: true, encoding: .utf8)
                for (tls, expected) in [
                    ("    certFile: \(directory)/junk.pem\n", "server.tls needs both certFile and keyFile"),
                    (
                        "    certFile: \(directory)/junk.pem\n    keyFile: \(directory)/junk.pem\n",
                        "server.tls.certFile \(directory)/junk.pem is not a readable PEM certificate"
                    ),
                ] {
                    try Self.configuration(configuration, tls: tls)
                        .write(toFile: directory + "/tracetest.yaml", atomically: true, encoding: .utf8)
                    let server = try ServerProcess(["serve"], in: directory)
                    #expect(try await server.waitForExit() == 1)
                    #expect(server.log.contains("cannot start: \(expected)"), "\(server.log)")
                }
            }
        }
    }

    /// The server's configuration file with `tls` (indented lines) as its `server.tls` section.
    static func configuration(_ configuration: ServerConfiguration, tls: String) -> String {
        configurationYAML(configuration).replacingOccurrences(
            of: "\notlpServer:", with: "\n  tls:\n" + tls + "otlpServer:")
    }

    /// The status of GET `path` over HTTPS, trusting only the certificate `ca`.
    static func status(_ port: Int, _ path: String, trusting ca: String) async throws -> Int {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(ca)
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(5), read: .seconds(10))))
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
            try await client.shutdown()
            return Int(response.status.code)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
