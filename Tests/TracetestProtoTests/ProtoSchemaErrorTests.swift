import Testing

@testable import TracetestProto

// The exact `file:line:column: message` of syntax and schema errors.
@Suite struct ProtoSchemaErrorTests {
    private func error(_ text: String, fileName: String = "request.proto") -> String {
        do {
            _ = try ProtoSchema(parsing: text, fileName: fileName)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func missingSemicolon() {
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  int32 id = 1\n}\n")
                == "request.proto:4:1: expected \";\" after the field number, found \"}\"")
        #expect(
            error("syntax = \"proto3\"\nmessage A {}")
                == "request.proto:2:1: expected \";\" after the syntax statement, found \"message\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 id = 1 [deprecated = true] }")
                == "request.proto:2:46: expected \";\" after the field options, found \"}\"")
    }

    @Test func unknownType() {
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  Foo foo = 1;\n}")
                == "request.proto:3:3: unknown type \"Foo\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  google.protobuf.Timestamp at = 1;\n}")
                == "request.proto:3:3: unknown type \"google.protobuf.Timestamp\": add import \"google/protobuf/timestamp.proto\""
        )
        #expect(
            error("syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage A { Timestamp at = 1; }")
                == "request.proto:3:13: unknown type \"Timestamp\": did you mean google.protobuf.Timestamp (from import \"google/protobuf/timestamp.proto\")?"
        )
        #expect(
            error("syntax = \"proto3\";\nservice S {\n  rpc Get (Missing) returns (Missing);\n}", fileName: "svc.proto")
                == "svc.proto:3:12: unknown type \"Missing\"")
        #expect(
            error("syntax = \"proto3\";\nenum E { A = 0; }\nservice S { rpc Get (E) returns (E); }")
                == "request.proto:3:22: \"E\" is an enum, but the request type of a method must be a message")
    }

    @Test func duplicates() {
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}")
                == "request.proto:4:13: field number 1 of \"b\" is already used by field \"a\" in message \"A\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n  string a = 2;\n}")
                == "request.proto:4:10: field \"a\" is defined twice in message \"A\"")
        #expect(
            error("syntax = \"proto3\";\npackage p;\nmessage A {}\nmessage A {}")
                == "request.proto:4:9: \"p.A\" is already defined in request.proto")
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}")
                == "request.proto:4:9: the JSON name \"fooBar\" of field \"fooBar\" is also the JSON name of field \"foo_bar\" in message \"A\""
        )
        #expect(
            error("syntax = \"proto3\";\nenum E {\n  A = 0;\n  B = 0;\n}")
                == "request.proto:4:3: enum value B = 0 reuses the number of A in enum \"E\"; add option allow_alias = true; to allow aliases"
        )
        #expect(
            error("syntax = \"proto3\";\nmessage M { map<string, int32> things = 1; message ThingsEntry {} }")
                == "request.proto:2:52: \"M.ThingsEntry\" is already defined in request.proto")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 a = 1; reserved 1; }")
                == "request.proto:2:23: field \"a\" uses number 1, which is reserved in message \"A\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 a = 1; reserved \"a\"; }")
                == "request.proto:2:19: field name \"a\" is reserved in message \"A\"")
        #expect(
            error("syntax = \"proto3\";\nservice S { rpc A (S) returns (S); }")
                == "request.proto:2:20: unknown type \"S\"")
    }

    @Test func unterminatedStringsAndComments() {
        #expect(
            error("syntax = \"proto3;\nmessage A {}")
                == "request.proto:1:10: unterminated string: no closing quote on its line")
        #expect(
            error("syntax = \"proto3\";\nimport 'google/protobuf/empty.proto")
                == "request.proto:2:8: unterminated string: no closing quote before the end of the file")
        #expect(
            error("syntax = \"proto3\";\n  /* a comment\nmessage A {}\n")
                == "request.proto:2:3: unterminated comment: \"/*\" has no closing \"*/\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A { string s = 1 [json_name = \"\\q\"]; }")
                == "request.proto:2:40: unknown escape \"\\q\" in a string")
    }

    @Test func otherSyntaxErrors() {
        #expect(
            error("syntax = \"proto3\";\nmessage A {\n  int32 id = 1;\n")
                == "request.proto:4:1: expected \"}\" to close message \"A\", found end of file")
        #expect(
            error("syntax = \"proto4\";")
                == "request.proto:1:10: unknown syntax \"proto4\": expected \"proto2\" or \"proto3\"")
        #expect(
            error("edition = \"2023\";")
                == "request.proto:1:1: editions (edition = \"...\") are not supported: declare syntax = \"proto3\" or syntax = \"proto2\""
        )
        #expect(
            error("syntax = \"proto3\";\nmessage A { required int32 a = 1; }")
                == "request.proto:2:13: required fields are not allowed in proto3")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 a = 1 [default = 5]; }")
                == "request.proto:2:26: default values are not allowed in proto3")
        #expect(
            error("syntax = \"proto2\";\nmessage A { optional group G = 1 { optional int32 x = 2; } }")
                == "request.proto:2:22: groups are not supported: declare a nested message and a field of that type")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 a = 0; }")
                == "request.proto:2:23: field number 0 is out of range: it must be between 1 and 536870911")
        #expect(
            error("syntax = \"proto3\";\nmessage A { int32 a = 19500; }")
                == "request.proto:2:23: field number 19500 is reserved for the protobuf implementation (19000 to 19999)"
        )
        #expect(
            error("syntax = \"proto3\";\nmessage A { map<float, int32> m = 1; }")
                == "request.proto:2:17: map key type must be an integer type, bool or string, found \"float\"")
        #expect(
            error("syntax = \"proto3\";\nmessage A { oneof o { repeated int32 a = 1; } }")
                == "request.proto:2:23: fields in a oneof must not have a label (optional, required or repeated)")
        #expect(
            error("syntax = \"proto3\";\nenum E { A = 1; }")
                == "request.proto:2:10: the first value of enum \"E\" must be zero in proto3, found A = 1")
        #expect(error("syntax = \"proto3\";\nenum E {}") == "request.proto:2:6: enum \"E\" has no values")
        #expect(
            error("message A { int32 a = 1x; }")
                == "request.proto:1:24: expected a space or a symbol after the number 1")
        #expect(
            error("message A { int32 a = 08; }")
                == "request.proto:1:23: 08 starts with 0 so it is octal, but 8 and 9 are not octal digits")
        #expect(error("message A { int32 a = 1; }\n€") == "request.proto:2:1: unexpected character \"€\"")
        #expect(
            error("syntax = \"proto3\";\n{")
                == "request.proto:2:1: expected \"message\", \"enum\", \"service\", \"import\", \"package\" or \"option\" at the top level, found \"{\""
        )
        #expect(
            error("message A { int32 a = 1; }\npackage x;\npackage y;")
                == "request.proto:3:1: the file has a second package statement")
        #expect(
            error("message A {}\nsyntax = \"proto3\";")
                == "request.proto:2:1: the syntax statement must be the first statement of the file")
        #expect(
            error("option x = { a: 1 ")
                == "request.proto:1:19: expected \"}\" to close the option value, found end of file")
    }

    @Test func importsOtherThanWellKnownTypesAreRefused() {
        #expect(
            error("syntax = \"proto3\";\nimport \"google/api/annotations.proto\";")
                == "request.proto:2:8: import \"google/api/annotations.proto\" is not available: only one .proto file can be given, so copy the definitions this file uses from \"google/api/annotations.proto\" into it (only the well-known types can be imported: google/protobuf/any.proto, google/protobuf/duration.proto, google/protobuf/empty.proto, google/protobuf/field_mask.proto, google/protobuf/struct.proto, google/protobuf/timestamp.proto, google/protobuf/wrappers.proto)"
        )
        // descriptor.proto may be imported for custom option declarations.
        #expect(
            error(
                "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.FieldOptions { string x = 5000; }"
            ) == "no error")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deepMessages = String(repeating: "message A { ", count: 10_000) + String(repeating: "}", count: 10_000)
        #expect(error(deepMessages) == "request.proto:1:1209: messages are nested more than 100 levels deep")
        #expect(error(String(repeating: "{", count: 10_000)).hasPrefix("request.proto:1:1: expected \"message\""))
        #expect(
            error("message A { " + String(repeating: "{", count: 10_000)).hasPrefix(
                "request.proto:1:13: expected a field type"))
        #expect(
            error("option a = " + String(repeating: "{", count: 10_000))
                == "request.proto:1:10012: expected \"}\" to close the option value, found end of file")
        #expect(
            error(
                "message A { int32 a = 1 [(x) = " + String(repeating: "{", count: 10_000)
                    + String(repeating: "}", count: 10_000) + "]; }")
                == "no error")
    }

    @Test func methodLookupErrorsListWhatExists() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.pokeshop)
        #expect(
            throws: ProtoError(
                "unknown service \"pokeshop.Pokeshop\"; the services are: pokeshop.v1.Pokeshop, pokeshop.v1.Health")
        ) {
            try schema.method(named: "pokeshop.Pokeshop.getPokemon")
        }
        #expect(
            throws: ProtoError(
                "service \"pokeshop.v1.Pokeshop\" has no method \"getPokemon\"; its methods are: getPokemonList, createPokemon, importPokemon, watch, upload"
            )
        ) {
            try schema.method(named: "pokeshop.v1.Pokeshop/getPokemon")
        }
        #expect(
            throws: ProtoError(
                "\"getPokemon\" is not a method name: write it as package.Service.Method or package.Service/Method")
        ) {
            try schema.method(named: "getPokemon")
        }
        #expect(
            throws: ProtoError(
                "\"pokeshop.v1.Pokeshop/\" is not a method name: write it as package.Service.Method or package.Service/Method"
            )
        ) {
            try schema.method(named: "pokeshop.v1.Pokeshop/")
        }
        let empty = try ProtoSchema(parsing: "syntax = \"proto3\"; message M {}")
        #expect(throws: ProtoError("unknown service \"a.B\": the schema defines no services")) {
            try empty.method(named: "a.B.C")
        }
    }

    @Test func errorsCarryTheirPlace() {
        do {
            _ = try ProtoSchema(parsing: "message A {\n\tint32 a = 1\n}", fileName: "x.proto")
            Issue.record("expected an error")
        } catch {
            #expect(error.fileName == "x.proto")
            #expect(error.line == 3 && error.column == 1)
            #expect(error.message == "expected \";\" after the field number, found \"}\"")
        }
        #expect(ProtoError("plain").description == "plain")
    }
}
