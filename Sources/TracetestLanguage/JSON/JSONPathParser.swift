import TracetestModel

// Reads JSONPath text; filters nest at most 64 levels.
struct JSONPathParser {
    let scalars: [Unicode.Scalar]
    var position = 0
    var depth = 0

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func fail(_ message: String) -> JSONPath.SyntaxError {
        JSONPath.SyntaxError(message: "\(message) at offset \(position)")
    }

    mutating func wholePath() throws(JSONPath.SyntaxError) -> JSONPath {
        if current == "$" { position += 1 }
        let path = try segments(leadingName: true)
        guard current == nil else { throw fail("unexpected \"\(current!)\"") }
        return path
    }

    // Segments until a character that cannot continue a path.
    private mutating func segments(leadingName: Bool) throws(JSONPath.SyntaxError) -> JSONPath {
        var segments: [JSONPath.Segment] = []
        if leadingName, let first = current, first != ".", first != "[" {
            segments.append(JSONPath.Segment(step: .name(try name()), descendant: false))
        }
        while let next = current {
            if next == "." {
                position += 1
                let descendant = current == "."
                if descendant { position += 1 }
                if current == "[" {
                    segments.append(JSONPath.Segment(step: try bracket(), descendant: descendant))
                } else if current == "*" {
                    position += 1
                    segments.append(JSONPath.Segment(step: .wildcard, descendant: descendant))
                } else {
                    segments.append(JSONPath.Segment(step: .name(try name()), descendant: descendant))
                }
            } else if next == "[" {
                segments.append(JSONPath.Segment(step: try bracket(), descendant: false))
            } else {
                break
            }
        }
        return JSONPath(segments: segments)
    }

    private static let nameTerminators = Set(".[]()=!<>&|,~ \t\n'\"".unicodeScalars)

    private mutating func name() throws(JSONPath.SyntaxError) -> String {
        let start = position
        while let next = current, !Self.nameTerminators.contains(next) { position += 1 }
        guard position > start else { throw fail("expected a key") }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private mutating func skipSpace() {
        while let next = current, next == " " || next == "\t" || next == "\n" { position += 1 }
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws(JSONPath.SyntaxError) {
        skipSpace()
        guard current == scalar else { throw fail("expected \"\(scalar)\"") }
        position += 1
    }

    private mutating func bracket() throws(JSONPath.SyntaxError) -> JSONPath.Step {
        position += 1
        skipSpace()
        let step: JSONPath.Step
        if current == "*" {
            position += 1
            step = .wildcard
        } else if current == "?" {
            position += 1
            guard depth < 64 else { throw fail("filter nests too deeply") }
            depth += 1
            try expect("(")
            step = .filter(try orExpression())
            try expect(")")
            depth -= 1
        } else if current == "'" || current == "\"" {
            var keys = [try quoted()]
            skipSpace()
            while current == "," {
                position += 1
                skipSpace()
                keys.append(try quoted())
                skipSpace()
            }
            step = .keys(keys)
        } else {
            step = try indicesOrSlice()
        }
        try expect("]")
        return step
    }

    private mutating func indicesOrSlice() throws(JSONPath.SyntaxError) -> JSONPath.Step {
        let first = try optionalInteger()
        skipSpace()
        if current == ":" {
            position += 1
            let end = try optionalInteger()
            skipSpace()
            var step = 1
            if current == ":" {
                position += 1
                step = try optionalInteger() ?? 1
            }
            return .slice(start: first, end: end, step: step)
        }
        guard let first else { throw fail("expected an index, a key in quotes, * or ?(…)") }
        var indices = [first]
        while current == "," {
            position += 1
            guard let next = try optionalInteger() else { throw fail("expected an index") }
            indices.append(next)
            skipSpace()
        }
        return .indices(indices)
    }

    private mutating func optionalInteger() throws(JSONPath.SyntaxError) -> Int? {
        skipSpace()
        let start = position
        if current == "-" { position += 1 }
        while let next = current, next.isASCIIDigit { position += 1 }
        guard position > start else { return nil }
        guard let value = Int(String(String.UnicodeScalarView(scalars[start..<position]))) else {
            throw fail("invalid index")
        }
        return value
    }

    private mutating func quoted() throws(JSONPath.SyntaxError) -> String {
        guard let quote = current, quote == "'" || quote == "\"" else { throw fail("expected a quoted key") }
        position += 1
        var text = String.UnicodeScalarView()
        while let next = current, next != quote {
            if next == "\\", position + 1 < scalars.count {
                position += 1
            }
            text.append(scalars[position])
            position += 1
        }
        guard current == quote else { throw fail("unterminated string") }
        position += 1
        return String(text)
    }

    private mutating func orExpression() throws(JSONPath.SyntaxError) -> FilterExpression {
        var result = try andExpression()
        while matches("||") { result = .or(result, try andExpression()) }
        return result
    }

    private mutating func andExpression() throws(JSONPath.SyntaxError) -> FilterExpression {
        var result = try unary()
        while matches("&&") { result = .and(result, try unary()) }
        return result
    }

    private mutating func matches(_ word: String) -> Bool {
        skipSpace()
        let expected = Array(word.unicodeScalars)
        guard position + expected.count <= scalars.count,
            Array(scalars[position..<(position + expected.count)]) == expected
        else { return false }
        position += expected.count
        return true
    }

    private mutating func unary() throws(JSONPath.SyntaxError) -> FilterExpression {
        skipSpace()
        guard depth < 64 else { throw fail("filter nests too deeply") }
        if current == "!" && !(position + 1 < scalars.count && scalars[position + 1] == "=") {
            position += 1
            depth += 1
            defer { depth -= 1 }
            return .not(try unary())
        }
        if current == "(" {
            position += 1
            depth += 1
            let inner = try orExpression()
            depth -= 1
            try expect(")")
            return inner
        }
        let left = try operand()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where matches(op) {
            return .compare(left, op, try operand())
        }
        return .exists(left)
    }

    private mutating func operand() throws(JSONPath.SyntaxError) -> FilterExpression.Operand {
        skipSpace()
        switch current {
        case "@":
            position += 1
            return .current(try segments(leadingName: false))
        case "$":
            position += 1
            return .root(try segments(leadingName: false))
        case "'", "\"":
            return .literal(.string(try quoted()))
        default:
            let start = position
            while let next = current, next.isASCIIAlphanumeric || next == "-" || next == "." || next == "+" {
                position += 1
            }
            let word = String(String.UnicodeScalarView(scalars[start..<position]))
            switch word {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default:
                guard DecimalNumber(word) != nil else { throw fail("expected a value") }
                return .literal(.number(word))
            }
        }
    }
}
