import TracetestStorage

/// Parser for libpq `keyword=value` lists (`postgres.params`), also accepting the URL-query separator `&`.
package enum PostgresParameters {
    /// The keywords this server honours; others are ignored with a start-up warning.
    package static let supported = ["sslmode", "connect_timeout", "application_name"]
    /// libpq's `sslmode` values.
    static let sslModes = PostgresSSLMode.allCases.map(\.rawValue)

    package struct Result: Equatable {
        package var pairs: [String: String] = [:]
        /// Pieces that are not `keyword=value`, as written.
        package var malformed: [String] = []
    }

    /// Why `text` cannot be used, or nil: a malformed piece, an `sslmode` libpq does not know, or a
    /// `connect_timeout` that is not a whole number of seconds.
    package static func problem(in text: String) -> String? {
        let result = parse(text)
        guard result.malformed.isEmpty else {
            let pieces = result.malformed.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(pieces) is not keyword=value"
        }
        if let mode = result.pairs["sslmode"], !sslModes.contains(mode) {
            return "sslmode \"\(mode)\" is not one of: \(sslModes.joined(separator: ", "))"
        }
        if let timeout = result.pairs["connect_timeout"], Int(timeout).map({ $0 >= 0 }) != true {
            return "connect_timeout \"\(timeout)\" is not a whole number of seconds (0 or more)"
        }
        return nil
    }

    /// The `keyword=value` pairs of `text`; a value may be single-quoted (`application_name='my app'`) with `\\'`
    /// and `\\\\` escapes.
    package static func parse(_ text: String) -> Result {
        var result = Result()
        for piece in split(text) {
            guard let equals = piece.raw.firstIndex(of: "="), equals != piece.raw.startIndex else {
                result.malformed.append(piece.raw)
                continue
            }
            let keyword = String(piece.raw[..<equals])
            result.pairs[keyword] = piece.value
        }
        return result
    }

    /// A piece as written (`raw`) and its value with quotes and escapes removed (everything after the first `=`).
    private struct Piece {
        var raw = ""
        var value = ""
        var seenEquals = false

        mutating func append(_ character: Character) {
            raw.append(character)
            if seenEquals {
                value.append(character)
            } else if character == "=" {
                seenEquals = true
            }
        }
    }

    private static func split(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var current = Piece()
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
                current.append(character)
            } else if quoted {
                switch character {
                case "\\":
                    escaped = true
                    current.raw.append(character)
                case "'":
                    quoted = false
                    current.raw.append(character)
                default:
                    current.append(character)
                }
            } else {
                switch character {
                case "'":
                    quoted = true
                    current.raw.append(character)
                case " ", "\t", "\n", "&":
                    if !current.raw.isEmpty { pieces.append(current) }
                    current = Piece()
                default:
                    current.append(character)
                }
            }
        }
        if !current.raw.isEmpty { pieces.append(current) }
        return pieces
    }
}
