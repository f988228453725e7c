import BenchmarkSupport
// Evaluates 20 typical test specs on generated traces of 1k, 10k and 100k spans; prints the time of each phase and
// the peak resident memory. Run in release: swift run -c release LanguageBenchmark
// (BENCH_DETAIL=1 also prints each spec's time, one core, at each size).
//
// assemble: Trace(traceID:spans:) from unordered spans (model). evaluate(first): all 20 specs with
// CompiledSpec.evaluate(_:on:variables:) on a fresh TraceIndex (so including its lazily built value index);
// evaluate(again): the same on the warm index; one core: the 20 specs one after the other.
import Foundation
import TracetestLanguage
import TracetestModel

func peakResidentMiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}

func milliseconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
    return String(format: "%8.1f", value)
}

let compiled = benchmarkSpecs.map { CompiledSpec(selector: $0.selector, assertions: $0.assertions) }
let variables = ["VERSION": "v1"]
let clock = ContinuousClock()
print("spans     assemble  evaluate(first)  evaluate(again)  one core  results  passed  peak RSS")
for size in [1_000, 10_000, 100_000] {
    let input = checkoutSpans(count: size)
    var trace: Trace!
    let assembly = clock.measure { trace = Trace(traceID: TraceID(high: 7, low: 7), spans: input, now: 2_000_000_000) }
    var results: [SpecResult] = []
    var index: TraceIndex!
    let first = clock.measure {
        index = TraceIndex(trace)
        results = CompiledSpec.evaluate(compiled, on: index, variables: variables)
    }
    let again = clock.measure { results = CompiledSpec.evaluate(compiled, on: index, variables: variables) }
    let sequential = clock.measure { results = compiled.map { $0.evaluate(on: index, variables: variables) } }
    let spanResults = results.flatMap(\.assertions).map(\.spanResults.count).reduce(0, +)
    let passed = results.filter(\.allPassed).count
    if ProcessInfo.processInfo.environment["BENCH_DETAIL"] != nil {
        for spec in compiled {
            let took = clock.measure { _ = spec.evaluate(on: index, variables: variables) }
            let result = spec.evaluate(on: index, variables: variables)
            print(
                milliseconds(took), result.allPassed, spec.selectorText,
                result.assertions.first?.spanResults.first { !$0.passed }?.error?.message ?? "")
        }
    }
    print(
        String(format: "%-8d", trace.count), milliseconds(assembly), "ms", milliseconds(first), "ms       ",
        milliseconds(again), "ms", milliseconds(sequential), "ms", String(format: "%7d", spanResults),
        String(format: "%4d/20", passed),
        String(format: "%6d MiB", peakResidentMiB()))
}
