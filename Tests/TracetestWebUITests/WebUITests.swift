import Foundation
import Testing
import TracetestWebUI

@Suite struct WebUITests {
    @Test(arguments: [
        "/", "/tests", "/test/abc", "/test/abc/run/3", "/test/abc/run/3/trace", "/test/abc/run/3/automate",
        "/testsuites", "/testsuite/s1", "/testsuite/s1/run/2", "/variablesets", "/settings",
    ])
    func everyPageRouteAnswersTheShell(path: String) throws {
        let asset = try #require(WebUI(pathPrefix: "").asset(forPath: path))
        #expect(asset.contentType == "text/html; charset=utf-8")
        #expect(asset.body.contains(#"<base href="/">"#))
    }

    @Test(arguments: [
        "/api/tests", "/ws", "/test", "/test/a/b", "/test/a/run/1/nope", "/testsuite/s/run/1/test", "/health",
        "/static/../WebUI.swift", "/static/", "/static/missing.js", "/static//index.html",
    ])
    func otherPathsAreNotTheUIs(path: String) {
        #expect(WebUI(pathPrefix: "").asset(forPath: path) == nil)
    }

    @Test func underAPathPrefixTheBaseIsThePrefix() throws {
        let ui = WebUI(pathPrefix: "/tracetest/")
        let asset = try #require(ui.asset(forPath: "/tracetest/test/abc/run/1/test"))
        #expect(asset.body.contains(#"<base href="/tracetest/">"#))
        #expect(ui.asset(forPath: "/tracetest") != nil)
        #expect(ui.asset(forPath: "/tests") == nil)
        #expect(ui.asset(forPath: "/tracetestx/tests") == nil)
        #expect(ui.asset(forPath: "/tracetest/static/index.html")?.body == WebUI.files["index.html"])
    }

    @Test func filesAreServedWithTheirType() throws {
        for name in WebUI.files.keys where name != "index.html" {
            let asset = try #require(WebUI(pathPrefix: "").asset(forPath: "/static/" + name))
            #expect(asset.body == WebUI.files[name])
            if name.hasSuffix(".js") { #expect(asset.contentType == "text/javascript; charset=utf-8") }
            if name.hasSuffix(".css") { #expect(asset.contentType == "text/css; charset=utf-8") }
        }
    }

    /// The embedded files are the ones in `Sources/TracetestWebUI/ui`: run `scripts/generate-web-ui` after a change.
    @Test func embeddedFilesAreUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TracetestWebUI/ui")
        var onDisk: [String: String] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root.path))
        for case let name as String in enumerator {
            var isDirectory: ObjCBool = false
            let path = root.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            onDisk[name] = try String(contentsOfFile: path, encoding: .utf8)
        }
        #expect(onDisk.keys.sorted() == WebUI.files.keys.sorted(), "run scripts/generate-web-ui")
        #expect(onDisk == WebUI.files, "run scripts/generate-web-ui")
    }

    @Test func aDevelopmentDirectoryIsReadOnEachRequest() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webui-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ui = WebUI(pathPrefix: "", directory: directory.path)
        try #"<base href="/">one"#.write(
            to: directory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        #expect(ui.asset(forPath: "/tests")?.body == #"<base href="/">one"#)
        try "two".write(to: directory.appendingPathComponent("app.js"), atomically: true, encoding: .utf8)
        #expect(ui.asset(forPath: "/static/app.js")?.body == "two")
    }
}
