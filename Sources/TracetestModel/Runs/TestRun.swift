import Foundation

/// One execution of a test: what was triggered, the trace obtained, and the results, in Tracetest's wire shape.
///
/// `trace` is not stored with the run: the server fills it in (wire form) when a run is read with its trace.
package struct TestRun: Codable, Sendable, Equatable {
    /// The run number within the test (1, 2, 3, …).
    package var id: Int
    package var testID: String
    package var traceID: TraceID
    package var spanID: SpanID
    package var testVersion: Int
    package var state: RunState
    /// Why the run failed, for failure states.
    package var lastErrorState: String
    package var createdAt: Timestamp
    package var serviceTriggeredAt: Timestamp
    package var serviceTriggerCompletedAt: Timestamp
    package var obtainedTraceAt: Timestamp
    /// `1970-01-01T00:00:00Z` until the run ends.
    package var completedAt: Timestamp
    package var variableSet: RunVariableSet
    package var resolvedTrigger: Trigger?
    package var triggerResult: TriggerResult?
    /// The trace in wire form (`{traceId, tree, flat}`), when read with it.
    package var trace: WireValue?
    package var result: AssertionResults?
    /// The analyzer's result in wire form; nil when the analyzer did not run.
    package var linter: WireValue?
    /// The analyzer's result without its span results, as run lists show it (not part of the wire form).
    package var linterSummary: WireValue?
    package var outputs: [RunOutput]
    package var requiredGatesResult: RequiredGatesResult
    package var metadata: [String: String]
    package var testSuiteID: String
    package var testSuiteRunID: Int
    package var skipTraceCollection: Bool
    /// The JUnit report of the specs' results, made when the run finished (`GET .../junit.xml`).
    package var junitReport: String?

    package init(
        id: Int,
        testID: String,
        testVersion: Int,
        traceID: TraceID = .random(),
        spanID: SpanID = .random(),
        createdAt: Timestamp = .now(),
        variableSet: RunVariableSet = RunVariableSet(),
        metadata: [String: String] = [:],
        requiredGates: [String] = [],
        skipTraceCollection: Bool = false
    ) {
        self.id = id
        self.testID = testID
        self.traceID = traceID
        self.spanID = spanID
        self.testVersion = testVersion
        self.state = .created
        self.lastErrorState = ""
        self.createdAt = createdAt
        self.serviceTriggeredAt = .zero
        self.serviceTriggerCompletedAt = .zero
        self.obtainedTraceAt = .zero
        self.completedAt = .epoch
        self.variableSet = variableSet
        self.outputs = []
        self.requiredGatesResult = RequiredGatesResult(required: requiredGates)
        self.metadata = metadata
        self.testSuiteID = ""
        self.testSuiteRunID = 0
        self.skipTraceCollection = skipTraceCollection
        self.junitReport = nil
    }

    /// The run as run lists show it, and as its row stores it: assertion results without their span results, the
    /// analyzer's result without its span results, no trace and no JUnit report (those are stored apart).
    package var listed: TestRun {
        var run = self
        run.trace = nil
        run.junitReport = nil
        if var result = run.result {
            for spec in result.results.indices {
                for assertion in result.results[spec].results.indices {
                    result.results[spec].results[assertion].spanResults = []
                }
            }
            run.result = result
        }
        run.linter = linterSummary ?? linter.map(Self.withoutSpanResults)
        run.linterSummary = nil
        return run
    }

    /// A linter result in wire form with every rule's `results` emptied.
    private static func withoutSpanResults(_ linter: WireValue) -> WireValue {
        guard case .object(var fields) = linter, case .array(let plugins)? = fields["plugins"] else { return linter }
        fields["plugins"] = .array(
            plugins.map { plugin in
                guard case .object(var pluginFields) = plugin, case .array(let rules)? = pluginFields["rules"] else {
                    return plugin
                }
                pluginFields["rules"] = .array(
                    rules.map { rule in
                        guard case .object(var ruleFields) = rule, ruleFields["results"] != nil else { return rule }
                        ruleFields["results"] = .array([])
                        return .object(ruleFields)
                    })
                return .object(pluginFields)
            })
        return .object(fields)
    }

    /// Span-level assertion results that passed and failed (the test summary's `passes` and `fails`).
    package var passCount: Int { result?.spanResultCount(passed: true) ?? 0 }
    package var failCount: Int { result?.spanResultCount(passed: false) ?? 0 }

    /// Passed in the CLI's sense: not a failure state, every assertion passed, every required gate passed.
    package var passed: Bool {
        !state.isFailure && (result?.allPassed ?? false) && requiredGatesResult.passed
    }

    /// Whole seconds from creation to completion (to now while running), rounded up.
    /// Why a run that failed ended: `lastErrorState`, else its state.
    package var failureReason: String {
        lastErrorState.isEmpty ? "the run ended in state \(state.rawValue)" : lastErrorState
    }

    package func executionTime(now: Timestamp = .now()) -> Int {
        let end = state.isTerminal ? completedAt : now
        let micros = max(0, end.microsecondsSinceEpoch - createdAt.microsecondsSinceEpoch)
        return Int((micros + 999_999) / 1_000_000)
    }

    /// Milliseconds the trigger took (to now while it runs); 0 before it started.
    package func triggerTime(now: Timestamp = .now()) -> Int {
        guard !serviceTriggeredAt.isZero else { return 0 }
        let end = serviceTriggerCompletedAt.isZero ? now : serviceTriggerCompletedAt
        return Int(max(0, end.microsecondsSinceEpoch - serviceTriggeredAt.microsecondsSinceEpoch) / 1000)
    }

    enum CodingKeys: String, CodingKey {
        case id, traceId, spanId, testVersion, state, lastErrorState, executionTime, triggerTime, createdAt,
            serviceTriggeredAt, serviceTriggerCompletedAt, obtainedTraceAt, completedAt, variableSet,
            resolvedTrigger, triggerResult, trace, result, linter, outputs, requiredGatesResult, metadata,
            testSuiteId, testSuiteRunId
        // Stored only.
        case testId, skipTraceCollection
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, omittingEmptyForKey: .id)
        try c.encode(traceID.hex, forKey: .traceId)
        try c.encode(spanID.hex, forKey: .spanId)
        try c.encode(testVersion, forKey: .testVersion)
        try c.encode(state, forKey: .state)
        try c.encode(lastErrorState, omittingEmptyForKey: .lastErrorState)
        try c.encode(executionTime(), forKey: .executionTime)
        try c.encode(triggerTime(), forKey: .triggerTime)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(serviceTriggeredAt, forKey: .serviceTriggeredAt)
        try c.encode(serviceTriggerCompletedAt, forKey: .serviceTriggerCompletedAt)
        try c.encode(obtainedTraceAt, forKey: .obtainedTraceAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(variableSet, forKey: .variableSet)
        try c.encode(OpenAPIForm.trigger(resolvedTrigger ?? Trigger()), forKey: .resolvedTrigger)
        try c.encode(triggerResult ?? TriggerResult(type: ""), forKey: .triggerResult)
        try c.encode(trace ?? .object(["tree": .object([:])]), forKey: .trace)
        if let result {
            // Written straight into text: a big run has hundreds of thousands of span results.
            try c.encode(WireValue.raw(result.jsonText), forKey: .result)
        } else {
            try c.encode(WireValue.object([:]), forKey: .result)
        }
        try c.encode(linter ?? .object([:]), forKey: .linter)
        try c.encode(outputs, omittingEmptyForKey: .outputs)
        try c.encode(requiredGatesResult, forKey: .requiredGatesResult)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(testSuiteID, omittingEmptyForKey: .testSuiteId)
        try c.encode(testSuiteRunID, omittingEmptyForKey: .testSuiteRunId)
    }

    /// The stored form: the wire fields plus what the wire form leaves out (test id, skip flag, the trigger as
    /// the resource writes it).
    package struct Stored: Codable, Sendable {
        package var run: TestRun

        package init(_ run: TestRun) {
            self.run = run
        }

        enum Keys: String, CodingKey {
            case run, testId, resolvedTrigger, skipTraceCollection, junit
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var withoutTrace = run
            withoutTrace.trace = nil
            try c.encode(withoutTrace, forKey: .run)
            try c.encode(run.testID, forKey: .testId)
            try c.encodeIfPresent(run.resolvedTrigger, forKey: .resolvedTrigger)
            try c.encode(run.skipTraceCollection, forKey: .skipTraceCollection)
            try c.encodeIfPresent(run.junitReport, forKey: .junit)
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            run = try c.decode(TestRun.self, forKey: .run)
            run.testID = try c.decode(String.self, forKey: .testId)
            run.resolvedTrigger = try c.decodeIfPresent(Trigger.self, forKey: .resolvedTrigger)
            run.skipTraceCollection = try c.value(.skipTraceCollection, or: false)
            run.junitReport = try c.decodeIfPresent(String.self, forKey: .junit)
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.value(.id, or: 0)
        testID = try c.value(.testId, or: "")
        traceID = TraceID(hex: try c.value(.traceId, or: "")) ?? TraceID(high: 0, low: 0)
        spanID = SpanID(hex: try c.value(.spanId, or: "")) ?? .zero
        testVersion = try c.value(.testVersion, or: 0)
        state = try c.value(.state, or: .created)
        lastErrorState = try c.value(.lastErrorState, or: "")
        createdAt = try c.value(.createdAt, or: .zero)
        serviceTriggeredAt = try c.value(.serviceTriggeredAt, or: .zero)
        serviceTriggerCompletedAt = try c.value(.serviceTriggerCompletedAt, or: .zero)
        obtainedTraceAt = try c.value(.obtainedTraceAt, or: .zero)
        completedAt = try c.value(.completedAt, or: .epoch)
        variableSet = try c.value(.variableSet, or: RunVariableSet())
        resolvedTrigger = nil
        triggerResult = try c.decodeIfPresent(TriggerResult.self, forKey: .triggerResult)
        trace = nil
        result = try? c.decodeIfPresent(AssertionResults.self, forKey: .result)
        linter = try c.decodeIfPresent(WireValue.self, forKey: .linter).flatMap { $0 == .object([:]) ? nil : $0 }
        linterSummary = nil
        outputs = try c.value(.outputs, or: [])
        requiredGatesResult = try c.value(.requiredGatesResult, or: RequiredGatesResult(required: []))
        metadata = try c.value(.metadata, or: [:])
        testSuiteID = try c.value(.testSuiteId, or: "")
        testSuiteRunID = try c.value(.testSuiteRunId, or: 0)
        skipTraceCollection = try c.value(.skipTraceCollection, or: false)
        junitReport = nil
    }
}

/// The variables a run used: the variable set it was given, inline values, then the test's outputs.
package struct RunVariableSet: Codable, Sendable, Equatable {
    package var id: String?
    package var name: String?
    package var description: String?
    package var values: [KeyValue]?

    package init(id: String? = nil, name: String? = nil, description: String? = nil, values: [KeyValue]? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.values = values
    }

    /// The values as a lookup table, later entries winning.
    package var lookup: [String: String] {
        Dictionary((values ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Adds or replaces values, keeping the order of first appearance.
    package mutating func merge(_ more: [KeyValue]) {
        var merged = values ?? []
        for value in more {
            if let index = merged.firstIndex(where: { $0.key == value.key }) {
                merged[index].value = value.value
            } else {
                merged.append(value)
            }
        }
        values = merged.isEmpty ? nil : merged
    }
}

/// A resolved test output.
package struct RunOutput: Codable, Sendable, Equatable {
    package var name: String
    package var spanID: String
    package var value: String
    package var error: String?

    package init(name: String, spanID: String, value: String, error: String? = nil) {
        self.name = name
        self.spanID = spanID
        self.value = value
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case name, spanID = "spanId", value, error
    }
}

/// Which gates a run had to pass, which failed, and whether all required ones passed.
package struct RequiredGatesResult: Codable, Sendable, Equatable {
    package var required: [String]
    package var failed: [String]
    package var passed: Bool

    package init(required: [String], failed: [String] = [], passed: Bool = true) {
        self.required = required
        self.failed = failed
        self.passed = passed
    }

    /// Records a failed gate; `passed` turns false only when the gate is required.
    package mutating func fail(_ gate: String) {
        if !failed.contains(gate) { failed.append(gate) }
        if required.contains(gate) { passed = false }
    }
}
