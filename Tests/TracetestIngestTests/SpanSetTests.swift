import Testing
import TracetestModel

@testable import TracetestIngest

@Suite("Span set progress")
struct SpanSetProgressTests {
    static func span(_ id: UInt64, parent: UInt64? = nil, name: String = "work") -> Span {
        Span(id: SpanID(id), parentID: parent.map(SpanID.init), name: name, startTimeUnixNano: 1, endTimeUnixNano: 2)
    }

    @Test("the parents spans name are missing until they arrive, in any order")
    func missingParents() {
        var set = SpanSet()
        set.merge([Self.span(3, parent: 2), Self.span(4, parent: 2)])
        #expect(set.progress.missingParents == [SpanID(2)])
        set.merge([Self.span(2, parent: 1)])
        #expect(set.progress.missingParents == [SpanID(1)])
        set.merge([Self.span(1)])
        #expect(set.progress.missingParents.isEmpty)
        #expect(set.progress.spanCount == 4)
        #expect(set.progress.hasSpan(otherThan: SpanID(1)))
    }

    @Test("a Tracetest trigger span's parent, which may exist nowhere, is not waited for")
    func triggerSpanParent() {
        var set = SpanSet()
        set.merge([Self.span(9, parent: 0xDEAD, name: "Tracetest trigger")])
        #expect(set.progress.missingParents.isEmpty)
        #expect(!set.progress.hasSpan(otherThan: SpanID(9)), "only the trigger span so far")
        set.merge([Self.span(10, parent: 9)])
        #expect(set.progress.missingParents.isEmpty)
        #expect(set.progress.hasSpan(otherThan: SpanID(9)))
    }
}
