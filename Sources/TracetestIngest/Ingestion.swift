import GRPCCore
import TracetestConcurrency
import TracetestModel
import TracetestOTLP

/// What both receivers do with the spans of an export request: count, store (unless the configured data store
/// is not fed by OTLP), and report rejected spans as partial success.
package struct Ingestion: Sendable {
    package let store: SpanStore
    let isAccepting: @Sendable () async -> Bool

    /// - Parameter isAccepting: whether spans are wanted now (the current data store is fed by OTLP).
    package init(store: SpanStore, isAccepting: @escaping @Sendable () async -> Bool) {
        self.store = store
        self.isAccepting = isAccepting
    }

    func receive(_ batch: SpanBatch, via transport: SpanStore.Transport) async throws -> ExportResponse {
        await store.count(batch)
        var response = ExportResponse()
        if batch.rejectedSpans > 0 {
            response.partialSuccess.rejectedSpans = Int64(batch.rejectedSpans)
            response.partialSuccess.errorMessage = batch.rejectionReason ?? ""
        }
        guard await isAccepting() else { return response }
        do {
            try await store.ingest(batch, via: transport)
        } catch {
            throw RPCError(code: .unavailable, message: "the spans could not be stored, retry later: \(error)")
        }
        return response
    }
}

extension DataStore {
    /// Whether traces reach this store through the OTLP receiver (it has no query API of its own).
    package var isFedByOTLP: Bool {
        switch type {
        case "agent", "dash0", "datadog", "dynatrace", "honeycomb", "instana", "lightstep", "newrelic", "otlp",
            "signoz":
            true
        case "azureappinsights": azureappinsights?.connectionType == "collector"
        default: false
        }
    }
}
