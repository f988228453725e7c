import NIOCore
import NIOPosix
import OrderedCollections
import TracetestModel

/// The result of `POST /api/config/connection`: each step that ran, in order; the first failed step ends the test.
package struct ConnectionTestResult: Sendable, Equatable {
    package enum Status: String, Sendable {
        case passed, warning, failed
    }

    package struct Step: Sendable, Equatable {
        package var status: Status
        package var message: String
        package var error: String?

        package var passed: Bool { status != .failed }

        var wire: WireValue {
            .object([
                "passed": .bool(passed), "status": .string(status.rawValue), "message": .string(message),
                "error": .string(error ?? ""),
            ])
        }
    }

    package var portCheck: Step?
    package var connectivity: Step?
    package var authentication: Step?
    package var fetchTraces: Step?

    package init() {}

    package var allPassed: Bool {
        [portCheck, connectivity, authentication, fetchTraces].allSatisfy { $0?.passed ?? true }
    }

    /// `{portCheck, connectivity, authentication, fetchTraces}` without the steps that did not run.
    package var wire: WireValue {
        var object: OrderedDictionary<String, WireValue> = [:]
        for (key, step) in [
            ("portCheck", portCheck), ("connectivity", connectivity), ("authentication", authentication),
            ("fetchTraces", fetchTraces),
        ] {
            if let step { object[key] = step.wire }
        }
        return .object(object)
    }
}

/// Tests a store as the connection test and the start of each run's polling do: the port, a TCP connection to each
/// endpoint (5 s each), then a query for a random trace id, which must come back "not found".
package enum ConnectionTest {
    package static func run(_ source: any TraceSource) async -> ConnectionTestResult {
        var result = ConnectionTestResult()
        let addresses = source.endpoints.map { ($0, address(of: $0)) }
        if !source.usualPorts.isEmpty {
            let unusual = addresses.compactMap { $0.1?.port }.filter { !source.usualPorts.contains($0) }
            let usual = source.usualPorts.map(String.init).joined(separator: ", ")
            result.portCheck =
                unusual.isEmpty
                ? .init(status: .passed, message: "You are using a commonly used port")
                : .init(
                    status: .warning,
                    message: "You are not using a commonly used port: \(source.name) usually listens on \(usual)")
        }
        guard !addresses.isEmpty, addresses.allSatisfy({ !$0.0.isEmpty }) else {
            result.connectivity = .init(
                status: .failed, message: "Tracetest could not reach the data store",
                error: "no endpoints were provided")
            return result
        }
        for (endpoint, address) in addresses {
            guard let address else {
                result.connectivity = .init(
                    status: .failed, message: "Tracetest could not reach \(endpoint)",
                    error: "\"\(endpoint)\" names no host and port")
                return result
            }
            if let failure = await dial(host: address.host, port: address.port) {
                result.connectivity = .init(
                    status: .failed, message: "Tracetest tried to connect to \(endpoint) and failed", error: failure)
                return result
            }
        }
        result.connectivity = .init(
            status: .passed,
            message: "Tracetest connected to \(addresses.map(\.0).joined(separator: ", "))")
        do {
            // A random id that starts with the time, as X-Ray takes them (any store takes it).
            let now = UInt32(clamping: Timestamp.now().microsecondsSinceEpoch / 1_000_000)
            _ = try await source.trace(TraceID.xray(epochSeconds: now))
            result.authentication = authenticated(source)
            result.fetchTraces = .init(status: .passed, message: "Traces were obtained successfully")
        } catch {
            switch error.kind {
            case .notFound:
                result.authentication = authenticated(source)
                result.fetchTraces = .init(status: .passed, message: "Traces were obtained successfully")
            case .authentication:
                result.authentication = .init(
                    status: .failed, message: "Tracetest could not authenticate with \(source.name)",
                    error: error.message)
            case .unreachable, .invalidAnswer, .failed, .rateLimited:
                result.authentication = authenticated(source)
                result.fetchTraces = .init(
                    status: .failed, message: "Tracetest could not get traces back from the data store",
                    error: error.message)
            }
        }
        return result
    }

    private static func authenticated(_ source: any TraceSource) -> ConnectionTestResult.Step {
        .init(status: .passed, message: "Tracetest managed to authenticate with \(source.name)")
    }

    /// Host and port of an endpoint; a URL without a port gets its scheme's (80, 443).
    static func address(of endpoint: String) -> (host: String, port: Int)? {
        if let address = hostAndPort(endpoint) { return address }
        guard let scheme = endpoint.range(of: "://") else { return nil }
        var host = String(endpoint[scheme.upperBound...])
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        guard !host.isEmpty else { return nil }
        return (host, endpoint.hasPrefix("https") ? 443 : 80)
    }

    /// Nil when a TCP connection was made within 5 s, else why not.
    static func dial(host: String, port: Int) async -> String? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
