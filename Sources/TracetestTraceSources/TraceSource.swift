import TracetestModel

/// A trace store that is asked for traces (Jaeger, Tempo, OpenSearch, ...): the runs of a data store of its type
/// poll it for their trace id.
package protocol TraceSource: Sendable {
    /// The store's name in messages ("Jaeger").
    var name: String { get }
    /// The endpoints asked, for the `POLLING_START` event and the connection test.
    var endpoints: [String] { get }
    /// The ports the store usually listens on, for the connection test's port check (none: no check).
    var usualPorts: [Int] { get }

    /// The spans of trace `id`, with Tracetest's metadata attributes; throws ``TraceSourceError/Kind/notFound`` while
    /// the store has none of them.
    func trace(_ id: TraceID) async throws(TraceSourceError) -> [Span]

    /// The trace once polling found it complete, with what the store gives only span by span (Sumo Logic's
    /// attributes and events); most stores give everything at once and return `spans`.
    func completed(_ spans: [Span], of id: TraceID) async throws(TraceSourceError) -> [Span]
}

extension TraceSource {
    package var usualPorts: [Int] { [] }

    package func completed(_ spans: [Span], of id: TraceID) async throws(TraceSourceError) -> [Span] { spans }
}

/// Why a store did not give a trace.
package struct TraceSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The store answered and has no span of the trace (yet): polling goes on.
        case notFound
        /// No connection (refused, DNS, TLS, timeout): the run fails at once.
        case unreachable
        /// The store refused the credentials.
        case authentication
        /// The store asks to slow down (HTTP 429): polling tries again at its next iteration.
        case rateLimited
        /// The store answered something that is not what its API sends.
        case invalidAnswer
        /// Any other error the store reported.
        case failed
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
