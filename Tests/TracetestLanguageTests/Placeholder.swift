import Testing
@Test func languagePlaceholder() { #expect(Bool(true)) }
