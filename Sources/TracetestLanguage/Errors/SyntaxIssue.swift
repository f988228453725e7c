// A parse failure before it is turned into a `LanguageError`: the message and the offset in the parsed scalars.
struct SyntaxIssue: Error {
    var message: String
    var offset: Int

    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}
