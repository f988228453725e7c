// Lints a 100,000-span trace with the default analyzer and prints how long each part takes (best of 5):
//
//   swift run -c release AnalyzerBenchmark [--spans N] [--wide]
//
// `--wide` gives every span 34 attributes (a realistic SDK resource) instead of 14.
import Foundation
import TracetestAnalyzer
import TracetestModel

let arguments = CommandLine.arguments
let count = arguments.firstIndex(of: "--spans").flatMap { Int(arguments[$0 + 1]) } ?? 100_000
let wide = arguments.contains("--wide")

/// A trace of HTTP server, SQL, Redis, messaging and internal spans in a binary tree, each kind with the attributes
/// its rules read (some rules fail on purpose: plain http, an IP address in a URL).
func makeTrace() -> Trace {
    let resourceKeys = [
        "process.command_args", "process.executable.name", "process.executable.path", "process.owner",
        "process.runtime.description", "process.runtime.name", "process.runtime.version", "service.instance.id",
        "service.namespace", "service.version", "telemetry.sdk.version", "host.arch", "host.id", "os.type",
        "os.description", "container.id", "k8s.pod.name", "k8s.namespace.name", "k8s.node.name",
        "deployment.environment",
    ]
    var spans = [Span(id: SpanID(1), name: "Tracetest trigger", startTimeUnixNano: 0, endTimeUnixNano: 10)]
    spans.reserveCapacity(count)
    for number in 2...count {
        var attributes = [
            "service.name": "pokeshop", "app.index": String(number), "host.name": "pokeshop-7d9f",
            "telemetry.sdk.language": "nodejs", "telemetry.sdk.name": "opentelemetry", "process.pid": "1",
        ]
        if wide { for key in resourceKeys { attributes[key] = "value-of-" + key } }
        let name: String
        let kind: SpanKind
        switch number % 5 {
        case 0:
            (name, kind) = ("GET /pokemon/:id", .server)
            attributes.merge([
                "http.method": "GET", "http.route": "/pokemon/:id", "http.url": "http://10.0.0.1/pokemon/1",
                "http.scheme": "http", "http.target": "/pokemon/1", "net.host.name": "pokeshop",
                "http.status_code": "200", "http.user_agent": "curl/8",
            ]) { $1 }
        case 1:
            (name, kind) = ("SELECT pokeshop.pokemon", .client)
            attributes.merge([
                "db.system": "postgresql", "db.operation": "SELECT", "db.name": "pokeshop", "db.sql.table": "pokemon",
                "db.statement": "SELECT * FROM pokemon WHERE id = $1", "net.peer.name": "postgres",
            ]) { $1 }
        case 2:
            (name, kind) = ("get", .client)
            attributes.merge(["db.system": "redis", "db.statement": "GET pokemon:1", "net.peer.name": "cache"]) { $1 }
        case 3:
            (name, kind) = ("pokemon.Import publish", .producer)
            attributes.merge([
                "messaging.system": "kafka", "messaging.destination": "pokemon.Import",
                "messaging.operation": "publish",
            ]) { $1 }
        default:
            (name, kind) = ("validate", .internal)
            attributes["validation.result"] = "ok"
        }
        spans.append(
            Span(
                id: SpanID(UInt64(number)), parentID: SpanID(UInt64(number / 2)), name: name, kind: kind,
                startTimeUnixNano: Int64(number), endTimeUnixNano: Int64(number) + 5, attributes: attributes))
    }
    return Trace(traceID: TraceID(high: 9, low: 9), spans: spans, now: 1_000_000)
}

func best<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    var fastest = Duration.seconds(1_000)
    var value: T?
    for _ in 0..<5 {
        let start = ContinuousClock.now
        value = try body()
        fastest = min(fastest, ContinuousClock.now - start)
    }
    let milliseconds = Double(fastest.components.attoseconds) / 1e15 + Double(fastest.components.seconds) * 1e3
    print(label.padding(toLength: 34, withPad: " ", startingAt: 0), String(format: "%8.1f ms", milliseconds))
    return value!
}

let trace = makeTrace()
print("\(trace.spans.count) spans, \(trace.spans[10].attributes.count) attributes per span")
let linter = try Linter(analyzer: .defaultAnalyzer)
let result = best("lint (7 rules, default analyzer)") { linter.lint(trace) }
let json = best("the run's linter JSON (jsonText)") { result.jsonText }
print("score \(result.score), \(json.utf8.count / 1_048_576) MiB of JSON")
