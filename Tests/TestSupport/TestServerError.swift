/// A test helper's failure, with what went wrong.
package struct TestServerError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
