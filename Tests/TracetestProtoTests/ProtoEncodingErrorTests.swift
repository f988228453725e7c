import Testing

@testable import TracetestProto

// Requests that cannot be encoded name the field and the reason.
@Suite struct ProtoEncodingErrorTests {
    let pokeshop: ProtoSchema
    let types: ProtoSchema

    init() throws {
        pokeshop = try ProtoSchema(parsing: ProtoFixtures.pokeshop)
        types = try ProtoSchema(parsing: ProtoFixtures.scalars)
    }

    private func error(_ schema: ProtoSchema, _ json: String, _ type: String) -> String {
        do {
            _ = try schema.encode(json: json, as: type)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func wrongScalars() {
        #expect(
            error(pokeshop, #"{"skip": "abc"}"#, "pokeshop.v1.GetPokemonRequest")
                == "request field \"skip\": expected a number (int32), got \"abc\"")
        #expect(
            error(pokeshop, #"{"moves": [{"power": 1}, {"power": -1}]}"#, "pokeshop.v1.Pokemon")
                == "request field \"moves[1].power\": -1 is out of range for uint32")
        #expect(
            error(pokeshop, #"{"id": 1.5}"#, "pokeshop.v1.Pokemon")
                == "request field \"id\": expected an integer (int32), got 1.5")
        #expect(
            error(pokeshop, #"{"id": 3000000000}"#, "pokeshop.v1.Pokemon")
                == "request field \"id\": 3000000000 is out of range for int32")
        #expect(
            error(pokeshop, #"{"id": " 1"}"#, "pokeshop.v1.Pokemon")
                == "request field \"id\": expected a number (int32), got \" 1\"")
        #expect(
            error(types, #"{"i64": "9223372036854775808"}"#, "types.Scalars")
                == "request field \"i64\": 9223372036854775808 is out of range for int64")
        #expect(
            error(types, #"{"u64": 1e20}"#, "types.Scalars") == "request field \"u64\": 1e20 is out of range for uint64"
        )
        #expect(
            error(types, #"{"isFeatured": 1, "b": "true"}"#, "types.Scalars")
                == "request field \"b\": expected true or false, got \"true\"")
        #expect(error(types, #"{"s": 5}"#, "types.Scalars") == "request field \"s\": expected a string, got 5")
        #expect(
            error(types, #"{"by": "!!"}"#, "types.Scalars")
                == "request field \"by\": expected bytes as a base64 string, got \"!!\"")
        #expect(error(types, #"{"f": 1e39}"#, "types.Scalars") == "request field \"f\": 1e39 is out of range for float")
        #expect(
            error(types, #"{"d": 1e999}"#, "types.Scalars") == "request field \"d\": 1e999 is out of range for double")
        #expect(
            error(types, #"{"d": "inf"}"#, "types.Scalars")
                == "request field \"d\": expected a number (double), got \"inf\"")
        #expect(
            error(types, #"{"d": [1]}"#, "types.Scalars")
                == "request field \"d\": expected a number (double), got an array")
    }

    @Test func wrongEnumsAndStructure() {
        #expect(
            error(pokeshop, #"{"rank": "NOPE"}"#, "pokeshop.v1.Pokemon")
                == "request field \"rank\": unknown value \"NOPE\" of enum pokeshop.v1.Trainer.Rank; the values are: RANK_UNSPECIFIED, ROOKIE, BEGINNER, MASTER, NEGATIVE"
        )
        #expect(
            error(pokeshop, #"{"rank": true}"#, "pokeshop.v1.Pokemon")
                == "request field \"rank\": expected the name or number of a value of enum pokeshop.v1.Trainer.Rank, got true"
        )
        #expect(
            error(pokeshop, #"{"email": "a", "phone": 1}"#, "pokeshop.v1.Trainer")
                == "request field \"phone\": oneof \"contact\" is already set by field \"email\"")
        #expect(
            error(pokeshop, #"{"imageURL": "a", "image_url": "b"}"#, "pokeshop.v1.Pokemon")
                == "request field \"image_url\": the field is given twice (as \"imageURL\" and \"image_url\")")
        #expect(
            error(pokeshop, "[1]", "pokeshop.v1.Pokemon")
                == "request: expected a JSON object for pokeshop.v1.Pokemon, got an array")
        #expect(error(pokeshop, "{}", "pokeshop.Pokemon") == "unknown message type \"pokeshop.Pokemon\"")
        #expect(
            error(pokeshop, "{}", "pokeshop.v1.Pokemon.StatsEntry")
                == "unknown message type \"pokeshop.v1.Pokemon.StatsEntry\"")
        #expect(
            error(pokeshop, #"{"stats": [1]}"#, "pokeshop.v1.Pokemon")
                == "request field \"stats\": expected a JSON object for a map, got an array")
        #expect(
            error(pokeshop, #"{"stats": {"hp": "x"}}"#, "pokeshop.v1.Pokemon")
                == "request field \"stats[\"hp\"]\": expected a number (int32), got \"x\"")
        #expect(
            error(pokeshop, #"{"team": {"one": {}}}"#, "pokeshop.v1.Trainer")
                == "request field \"team[\"one\"]\": expected a number (int64), got \"one\"")
        #expect(
            error(pokeshop, #"{"stats": {"hp": null}}"#, "pokeshop.v1.Pokemon")
                == "request field \"stats[\"hp\"]\": null is not allowed as a map value")
        #expect(
            error(pokeshop, #"{"moves": {}}"#, "pokeshop.v1.Pokemon")
                == "request field \"moves\": expected a JSON array, got an object")
        #expect(
            error(types, #"{"i32": [1, null]}"#, "types.Repeats")
                == "request field \"i32[1]\": null is not allowed in a list")
        #expect(
            error(types, #"{"be": {"yes": 1}}"#, "types.Maps")
                == "request field \"be[\"yes\"]\": expected a map key of true or false, got \"yes\"")
        #expect(
            error(pokeshop, #"{"moves": [5]}"#, "pokeshop.v1.Pokemon")
                == "request field \"moves[0]\": expected a JSON object for pokeshop.v1.Pokemon.Move, got 5")
    }

    @Test func invalidJSON() {
        #expect(
            error(pokeshop, #"{"id": }"#, "pokeshop.v1.Pokemon").hasPrefix(
                "the request is not valid JSON: line 1, column 8: "))
        #expect(
            error(pokeshop, "{\"id\": 1} x", "pokeshop.v1.Pokemon")
                == "the request is not valid JSON: line 1, column 11: more text after the document")
    }

    @Test func wellKnownTypes() {
        #expect(
            error(pokeshop, #"{"caughtAt": "yesterday"}"#, "pokeshop.v1.Pokemon")
                == "request field \"caughtAt\": expected an RFC 3339 timestamp such as \"2024-05-01T10:00:00Z\", got \"yesterday\""
        )
        #expect(
            error(pokeshop, #"{"caughtAt": "10000-01-01T00:00:00Z"}"#, "pokeshop.v1.Pokemon")
                == "request field \"caughtAt\": expected an RFC 3339 timestamp such as \"2024-05-01T10:00:00Z\", got \"10000-01-01T00:00:00Z\""
        )
        #expect(
            error(pokeshop, #"{"took": "5m"}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"took\": expected a duration in seconds such as \"1.5s\", got \"5m\"")
        #expect(
            error(pokeshop, #"{"took": "315576000001s"}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"took\": expected a duration in seconds such as \"1.5s\", got \"315576000001s\"")
        #expect(
            error(pokeshop, #"{"next": "x"}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"next\": expected a number (int64), got \"x\"")
        #expect(
            error(pokeshop, #"{"extra": [1]}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"extra\": expected a JSON object for google.protobuf.Struct, got an array")
        #expect(
            error(pokeshop, #"{"detail": {"a": 1}}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"detail\": a google.protobuf.Any needs \"@type\", e.g. \"type.googleapis.com/pkg.Message\""
        )
        #expect(
            error(pokeshop, #"{"detail": {"@type": "type.googleapis.com/x.Y"}}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"detail\": the \"@type\" \"type.googleapis.com/x.Y\" names no message of the schema")
        #expect(
            error(
                pokeshop, #"{"detail": {"@type": "type.googleapis.com/google.protobuf.Duration"}}"#,
                "pokeshop.v1.GetPokemonListResponse")
                == "request field \"detail\": a google.protobuf.Any of google.protobuf.Duration needs its JSON form in \"value\""
        )
        #expect(
            error(pokeshop, #"{"extra": {"a": {"b": 1e400}}}"#, "pokeshop.v1.GetPokemonListResponse")
                == "request field \"extra.a.b\": 1e400 is out of range for a google.protobuf.Value number")
    }

    @Test func deepJSONIsAnError() throws {
        var deep = ""
        for _ in 0..<150 { deep += #"{"parent": "# }
        deep += "{}" + String(repeating: "}", count: 150)
        let message = error(types, deep, "types.Tree")
        #expect(message.hasPrefix("request field \"parent.parent."))
        #expect(message.hasSuffix("\": messages are nested more than 100 levels deep"))
        var deepValue = ""
        for _ in 0..<150 { deepValue += "[" }
        deepValue += String(repeating: "]", count: 150)
        #expect(
            error(types, #"{"val": \#(deepValue)}"#, "types.Known").hasSuffix(
                "messages are nested more than 100 levels deep"))
        // JSON deeper than the JSON reader allows is refused there.
        let tooDeep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(types, #"{"val": \#(tooDeep)}"#, "types.Known").hasPrefix("the request is not valid JSON"))
        // 99 levels are fine.
        var fine = ""
        for _ in 0..<98 { fine += #"{"parent": "# }
        fine += "{}" + String(repeating: "}", count: 98)
        #expect(error(types, fine, "types.Tree") == "no error")
    }
}
