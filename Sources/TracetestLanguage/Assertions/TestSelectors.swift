import TracetestModel

/// Rejects a test whose spec or output selectors do not parse, naming the field and the position of the mistake.
package enum TestSelectors {
    package static func check(_ test: Test) throws(ValidationError) {
        for (index, spec) in test.specs.enumerated() {
            try check(spec.selector, field: "specs[\(index)].selector")
        }
        for (index, output) in test.outputs.enumerated() {
            try check(output.selector, field: "outputs[\(index)].selector")
        }
    }

    private static func check(_ selector: String, field: String) throws(ValidationError) {
        do {
            _ = try Selector.cached(selector)
        } catch {
            throw ValidationError("\(field): \(error)\n\(error.excerpt)")
        }
    }
}
