import Foundation

/// Runs `body` with the path of a new empty directory, and removes the directory afterwards.
///
/// Works with synchronous closures too: `try await withTemporaryDirectory { path in ... }`.
package func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tracetest-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}
