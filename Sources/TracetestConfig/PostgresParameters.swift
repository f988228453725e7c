/// Parser for libpq `keyword=value` lists, also accepting the URL-query separator `&`.
enum PostgresParameters {
    struct Result: Equatable {
        var pairs: [String: String] = [:]
        /// Pieces that are not `keyword=value`, as written.
        var malformed: [String] = []
    }

    static func parse(_ text: String) -> Result {
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
