import Foundation
import TestSupport

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

/// Whether the run's lease comes to be held by `owner` (nil: given up) within 10 s; leases are taken and given up
/// just before and after the run's steps are stored.
package func leaseHolder(_ api: TestAPI, testID: String, runID: Int, becomes owner: String?) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await api.store.runLeases.holder(testID: testID, runID: runID)?.owner != owner {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}

/// The numeric id of a run or suite run object.
package func runID(of run: [String: Any]) throws -> Int {
    guard let id = run["id"] as? Int else { throw TestServerError("no id in \(run)") }
    return id
}

/// A span sent to the server's OTLP receiver by ``TestAPI/export(_:)``.
package struct TestSpan: Sendable {
    package var traceID: String
    package var spanID: String
    package var parentID: String?
    package var name: String
    package var attributes: [String: String]

    package init(
        traceID: String, spanID: String = SpanIDs.random(), parentID: String? = nil, name: String,
        attributes: [String: String] = [:]
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.name = name
        self.attributes = attributes
    }
}

/// Random hexadecimal span ids.
package enum SpanIDs {
    package static func random() -> String {
        (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

extension TestAPI {
    /// Sends `spans` in one OTLP/HTTP JSON export request of service `app`, as an OpenTelemetry exporter would.
    package func export(_ spans: [TestSpan]) async throws {
        guard let otlpHTTPPort else { throw TestServerError("the server has no OTLP HTTP receiver") }
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let encoded = spans.map { span -> [String: Any] in
            var fields: [String: Any] = [
                "traceId": span.traceID, "spanId": span.spanID, "name": span.name, "kind": 2,
                "startTimeUnixNano": String(now), "endTimeUnixNano": String(now + 1_000_000),
                "attributes": span.attributes.map { ["key": $0.key, "value": ["stringValue": $0.value]] },
            ]
            if let parent = span.parentID { fields["parentSpanId"] = parent }
            return fields
        }
        let request: [String: Any] = [
            "resourceSpans": [
                [
                    "resource": ["attributes": [["key": "service.name", "value": ["stringValue": "app"]]]],
                    "scopeSpans": [["scope": ["name": "tests"], "spans": encoded]],
                ]
            ]
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let response = try await TestAPI(port: otlpHTTPPort).post(
            "/v1/traces", body, headers: ["Content-Type": "application/json"])
        guard response.status == 200 else { throw TestServerError("OTLP export answered \(response)") }
    }
}

/// A provisioning document setting the polling profile, for servers whose runs must end soon.
package func pollingProfileYAML(retryDelay: String = "500ms", timeout: String) -> String {
    """
    type: PollingProfile
    spec:
      id: current
      name: quick
      default: true
      strategy: periodic
      periodic:
        retryDelay: \(retryDelay)
        timeout: \(timeout)
    """
}
