import Testing

@testable import TracetestProto

@Suite struct ProtoParserTests {
    @Test func parsesARealisticProto3File() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.pokeshop)
        #expect(schema.services == ["pokeshop.v1.Pokeshop", "pokeshop.v1.Health"])

        let pokemon = try #require(schema.messages["pokeshop.v1.Pokemon"])
        #expect(
            pokemon.fields.map(\.name) == [
                "id", "name", "type", "image_url", "is_featured", "moves", "stats", "rank", "caught_at",
            ])
        #expect(pokemon.fields[3].jsonName == "imageURL")
        #expect(pokemon.fields[4].jsonName == "isFeatured")
        #expect(pokemon.fields[5].kind == .message("pokeshop.v1.Pokemon.Move"))
        #expect(pokemon.fields[5].isRepeated && !pokemon.fields[5].isMap)
        #expect(pokemon.fields[6].isMap)
        #expect(pokemon.fields[6].kind == .message("pokeshop.v1.Pokemon.StatsEntry"))
        #expect(pokemon.fields[7].kind == .enumeration("pokeshop.v1.Trainer.Rank"))
        #expect(pokemon.fields[8].kind == .message("google.protobuf.Timestamp"))

        let trainer = try #require(schema.messages["pokeshop.v1.Trainer"])
        #expect(trainer.oneofs.map(\.name) == ["contact", "_age"])
        #expect(trainer.oneofs.map(\.isSynthetic) == [false, true])
        #expect(trainer.fields.first { $0.name == "phone" }?.oneofIndex == 0)
        #expect(trainer.fields.first { $0.name == "age" }?.hasExplicitPresence == true)
        #expect(trainer.fields.first { $0.name == "name" }?.hasExplicitPresence == false)
        let team = try #require(schema.messages["pokeshop.v1.Trainer.TeamEntry"])
        #expect(team.isMapEntry)
        #expect(team.fields.map(\.kind) == [.scalar(.int64), .message("pokeshop.v1.Pokemon")])

        let rank = try #require(schema.enums["pokeshop.v1.Trainer.Rank"])
        #expect(rank.valueNames == ["RANK_UNSPECIFIED", "ROOKIE", "BEGINNER", "MASTER", "NEGATIVE"])
        #expect(rank.nameByNumber[1] == "ROOKIE")
        #expect(rank.numberByName["BEGINNER"] == 1)
        #expect(rank.numberByName["NEGATIVE"] == -1)

        let response = try #require(schema.messages["pokeshop.v1.GetPokemonListResponse"])
        #expect(response.fields.map(\.kind).last == .message("pokeshop.v1.Pokemon"))

        #expect(
            try schema.method(named: "pokeshop.v1.Pokeshop.getPokemonList")
                == ProtoMethod(
                    service: "pokeshop.v1.Pokeshop", name: "getPokemonList",
                    inputType: "pokeshop.v1.GetPokemonRequest", outputType: "pokeshop.v1.GetPokemonListResponse",
                    clientStreaming: false, serverStreaming: false))
        let watch = try schema.method(named: "pokeshop.v1.Pokeshop/watch")
        #expect(watch.inputType == "google.protobuf.Empty")
        #expect(!watch.clientStreaming && watch.serverStreaming)
        let upload = try schema.method(named: "/pokeshop.v1.Pokeshop/upload")
        #expect(upload.clientStreaming && upload.serverStreaming)
        #expect(upload.outputType == "google.protobuf.Empty")
        #expect(upload.path == "/pokeshop.v1.Pokeshop/upload")
        #expect(try schema.method(named: "pokeshop.v1.Health.Check").service == "pokeshop.v1.Health")
    }

    @Test func parsesAProto2File() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.proto2)
        let order = try #require(schema.messages["legacy.Order"])
        #expect(order.fields.map(\.name) == ["id", "note", "price", "status", "codes", "packed_codes", "line", "gift"])
        #expect(order.fields.allSatisfy { $0.isProto2 })
        #expect(order.fields[0].hasExplicitPresence)
        #expect(order.fields[3].kind == .enumeration("legacy.Status"))
        #expect(!order.fields[4].isPacked)
        #expect(order.fields[5].isPacked)
        #expect(order.fields[6].kind == .message("legacy.Order.Line"))
        #expect(try schema.method(named: "legacy.Orders.Place").inputType == "legacy.Order")
    }

    @Test func proto3RepeatedScalarsArePackedUnlessSaidOtherwise() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.scalars)
        let repeats = try #require(schema.messages["types.Repeats"])
        #expect(
            repeats.fields.filter(\.isPacked).map(\.name) == [
                "d", "f", "i32", "i64", "u32", "u64", "s32", "s64", "fx32", "fx64", "sf32", "sf64", "b", "color",
            ])
    }

    @Test func resolvesRelativeNamesFromTheInnermostScope() throws {
        let schema = try ProtoSchema(
            parsing: """
                syntax = "proto3";
                package a.b;
                message Thing { int32 outer = 1; }
                message Holder {
                  message Thing { string inner = 1; }
                  Thing near = 1;
                  .a.b.Thing far = 2;
                  b.Thing via_package = 3;
                  Holder.Thing qualified = 4;
                  a.b.Holder.Thing full = 5;
                }
                message Other { Thing plain = 1; }
                """)
        let holder = try #require(schema.messages["a.b.Holder"])
        #expect(
            holder.fields.map(\.kind) == [
                .message("a.b.Holder.Thing"), .message("a.b.Thing"), .message("a.b.Thing"),
                .message("a.b.Holder.Thing"),
                .message("a.b.Holder.Thing"),
            ])
        #expect(schema.messages["a.b.Other"]?.fields[0].kind == .message("a.b.Thing"))
    }

    @Test func aPartlyMatchingNameDoesNotFallBackToOuterScopes() {
        // Like protoc: "Inner.Missing" finds "Outer.Inner" first and stops there.
        let text = """
            syntax = "proto3";
            message Inner { message Missing {} }
            message Outer {
              message Inner {}
              Inner.Missing field = 1;
            }
            """
        #expect(throws: ProtoError.self) { try ProtoSchema(parsing: text) }
        do {
            _ = try ProtoSchema(parsing: text)
        } catch {
            #expect(error.line == 5 && error.column == 3)
            #expect(error.message.hasPrefix("unknown type \"Inner.Missing\": it resolves to \"Outer.Inner.Missing\""))
        }
    }

    @Test func keywordsCanBeNames() throws {
        let schema = try ProtoSchema(
            parsing: """
                syntax = "proto3";
                message stream { int32 message = 1; string syntax = 2; bool option = 3; int32 map = 4; }
                message to { stream returns = 1; }
                service rpc { rpc stream (stream) returns (to); rpc max (stream stream) returns (stream to); }
                """)
        #expect(schema.messages["stream"]?.fields.map(\.name) == ["message", "syntax", "option", "map"])
        #expect(try schema.method(named: "rpc.stream").clientStreaming == false)
        let streaming = try schema.method(named: "rpc.max")
        #expect(streaming.clientStreaming && streaming.serverStreaming && streaming.inputType == "stream")
    }

    @Test func stringsConcatenateAndUnescape() throws {
        let schema = try ProtoSchema(
            parsing: """
                syntax = 'proto3';
                message M { string a = 1 [json_name = "x\\x41\\101\\u00e9" 'y\\n']; }
                """)
        #expect(schema.messages["M"]?.fields[0].jsonName == "xAAéy\n")
    }

    @Test func numbersInHexAndOctal() throws {
        let schema = try ProtoSchema(
            parsing: """
                syntax = "proto2";
                message M { optional int32 a = 0x10; optional int32 b = 010; optional float c = 3 [default = 1.5e3]; }
                enum E { A = -0x7fffffff; B = 2147483647; C = -2147483648; }
                """)
        #expect(schema.messages["M"]?.fields.map(\.number) == [16, 8, 3])
        #expect(schema.enums["E"]?.numberByName["C"] == Int32.min)
    }

    @Test func emptyFilesAndFilesWithoutSyntaxAreProto2() throws {
        #expect(try ProtoSchema(parsing: "").services.isEmpty)
        let schema = try ProtoSchema(parsing: "message M { optional int32 a = 1; }")
        #expect(schema.messages["M"]?.fields[0].isProto2 == true)
    }

    @Test func wellKnownFilesAllParse() {
        #expect(WellKnownTypes.files.count == WellKnownTypes.sources.count)
        #expect(WellKnownTypes.fileByTypeName["google.protobuf.Value"] == "google/protobuf/struct.proto")
        #expect(WellKnownTypes.fileByTypeName.count == 18)
    }

    @Test func mapEntryNamesFollowProtoc() {
        #expect(Parser.mapEntryName("stats") == "StatsEntry")
        #expect(Parser.mapEntryName("my_map_field") == "MyMapFieldEntry")
        #expect(Resolver.jsonName("my_map_field") == "myMapField")
        #expect(Resolver.jsonName("a__b_") == "aB")
        #expect(Resolver.jsonName("_leading") == "Leading")
    }
}
