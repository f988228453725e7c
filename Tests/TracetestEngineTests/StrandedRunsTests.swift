import Testing
import TracetestModel

@testable import TracetestEngine

@Suite("Stranded runs")
struct StrandedRunsTests {
    let one = RunKey(testID: "t", runID: 1)
    let two = RunKey(testID: "t", runID: 2)

    @Test("a run idle and unfinished in the same state in two sweeps in a row is resumed, once per pair")
    func idleTwice() {
        var sweeps = StrandedRuns()
        #expect(sweeps.sweep(idle: [one: .awaitingTrace]).isEmpty, "one sweep is not enough")
        #expect(sweeps.sweep(idle: [one: .awaitingTrace, two: .executing]) == [one])
        #expect(sweeps.sweep(idle: [one: .awaitingTrace, two: .executing]) == [one, two], "still there: again")
    }

    @Test("a run that moved, or was busy in between, is not taken for stranded")
    func movedOrBusy() {
        var sweeps = StrandedRuns()
        _ = sweeps.sweep(idle: [one: .awaitingTrace, two: .created])
        #expect(sweeps.sweep(idle: [one: .analyzingTrace]).isEmpty, "one moved on; two was busy or ended")
        #expect(sweeps.sweep(idle: [two: .created]).isEmpty, "two was not idle in the sweep before")
    }
}
