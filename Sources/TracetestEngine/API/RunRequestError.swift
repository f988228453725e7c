import TracetestLanguage
import TracetestModel

/// Why the engine refused a request: what it names does not exist, or it cannot be carried out as asked.
package enum RunRequestError: TracetestError, Sendable {
    case testNotFound(String)
    case testSuiteNotFound(String)
    case variableSetNotFound(String)
    case runNotFound(testID: String, runID: Int)
    case suiteRunNotFound(testSuiteID: String, runID: Int)
    case unknownGate(String)
    case missingVariables(MissingVariablesError)
    /// The run has no trace (yet) to work on.
    case noTrace(runID: Int)
    /// The run's trace has no span with this id.
    case spanNotFound(runID: Int, spanID: String)
    /// The run has no results (yet).
    case noResults(runID: Int, state: RunState)
    /// A selector in the request does not parse.
    case invalidSelector(field: String?, LanguageError)
    /// Any other problem with the request, said in full.
    case invalidRequest(String)
    /// The request is valid but cannot be applied to the run as it is.
    case notApplicable(String)

    package var category: ErrorCategory {
        switch self {
        case .testNotFound, .testSuiteNotFound, .variableSetNotFound, .runNotFound, .suiteRunNotFound,
            .spanNotFound:
            .notFound
        case .unknownGate, .invalidSelector, .invalidRequest: .invalidInput
        case .missingVariables, .noTrace, .noResults, .notApplicable: .notProcessable
        }
    }

    package var details: WireValue? {
        guard case .missingVariables(let missing) = self else { return nil }
        return try? WireEncoder().encode(missing)
    }

    package var description: String {
        switch self {
        case .testNotFound(let id): "test \(id) not found"
        case .testSuiteNotFound(let id): "test suite \(id) not found"
        case .variableSetNotFound(let id): "variable set \(id) not found"
        case .runNotFound(let testID, let runID): "run \(runID) of test \(testID) not found"
        case .suiteRunNotFound(let suiteID, let runID): "run \(runID) of test suite \(suiteID) not found"
        case .unknownGate(let gate):
            "unknown required gate \"\(gate)\" (use any of: \(TestRunner.gates.joined(separator: ", ")))"
        case .missingVariables(let error):
            "missing variables: \(error.missingVariables.flatMap(\.variables).map(\.key).joined(separator: ", "))"
        case .noTrace(let runID): "run \"\(runID)\" has no trace associated"
        case .spanNotFound(let runID, let spanID): "the trace of run \(runID) has no span \(spanID)"
        case .noResults(let runID, let state): "run \(runID) has no results yet (state \(state.rawValue))"
        case .invalidSelector(let field, let error):
            (field.map { "\($0): " } ?? "") + "\(error)\n\(error.excerpt)"
        case .invalidRequest(let message), .notApplicable(let message): message
        }
    }
}
