import TestSupport
import Foundation

/// Run states after which nothing changes (engine-telemetry.md §1).
package let terminalRunStates: Set<String> = [
    "FINISHED", "TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR", "STOPPED", "FAILED",
]

extension TestAPI {
    /// Creates (or replaces) a resource from its JSON envelope and returns its id.
    @discardableResult
    package func create(_ path: String, _ json: String) async throws -> String {
        let response = try await put(path, json)
        guard response.status == 200 || response.status == 201,
            let spec = try response.object()["spec"] as? [String: Any], let id = spec["id"] as? String
        else { throw TestServerError("PUT \(path) answered \(response)") }
        return id
    }

    /// Starts a run of the test and returns the run as the server answered it.
    package func startRun(_ testID: String, _ body: String = "{}") async throws -> [String: Any] {
        let response = try await post("/api/tests/\(testID)/run", body)
        guard response.status == 200 else { throw TestServerError("run of \(testID) answered \(response)") }
        return try response.object()
    }

    /// Reads the run until its state is terminal (or the time is up) and returns it.
    package func waitForRun(
        _ testID: String, _ runID: Int, timeout: Duration = .seconds(60)
    ) async throws -> [String: Any] {
        try await waitFor("/api/tests/\(testID)/run/\(runID)", timeout: timeout) { run in
            terminalRunStates.contains(run["state"] as? String ?? "")
        }
    }

    /// Starts a run and waits for it to end.
    package func runToEnd(_ testID: String, _ body: String = "{}") async throws -> [String: Any] {
        let run = try await startRun(testID, body)
        return try await waitForRun(testID, try runID(of: run))
    }

    /// Reads `path` every 20 ms until `done` holds for the JSON object it answers.
    package func waitFor(
        _ path: String, timeout: Duration = .seconds(60), until done: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let response = try await get(path)
            guard response.status == 200 else { throw TestServerError("GET \(path) answered \(response)") }
            let object = try response.object()
            if done(object) { return object }
            guard ContinuousClock.now < deadline else {
                throw TestServerError("GET \(path) still answers \(response.body) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The numeric id of a run or suite run object.
package func runID(of run: [String: Any]) throws -> Int {
    guard let id = run["id"] as? Int else { throw TestServerError("no id in \(run)") }
    return id
}
