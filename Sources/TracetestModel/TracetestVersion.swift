/// This project's version, reported by `GET /api/version.json` and `tracetest version`.
///
/// It starts at 1.8.0 so that Tracetest CLIs, which require a server at least as new as themselves, accept it.
package enum TracetestVersion {
    package static let current = "1.8.0"
}
