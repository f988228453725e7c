import TracetestModel

@testable import TracetestProto

// `.proto` texts shared by the tests.
enum ProtoFixtures {
    static let pokeshop = """
        // Pokeshop, as a user would paste it.
        syntax = "proto3";

        package pokeshop.v1;

        import "google/protobuf/timestamp.proto";
        import public "google/protobuf/duration.proto";
        import "google/protobuf/wrappers.proto";
        import "google/protobuf/struct.proto";
        import "google/protobuf/empty.proto";
        import "google/protobuf/field_mask.proto";
        import "google/protobuf/any.proto";

        option go_package = "github.com/kubeshop/pokeshop/proto;" "pokeshop";
        option java_multiple_files = true;
        option (custom.file_option) = { name: "x" nested { values: [1, 2] } };

        /* A Pokémon,
           with a block comment. */
        message Pokemon {
          int32 id = 1;
          string name = 2;
          string type = 3;
          string image_url = 4 [json_name = "imageURL"];
          bool is_featured = 5;
          repeated Move moves = 6;
          map<string, int32> stats = 7;
          Trainer.Rank rank = 8;
          google.protobuf.Timestamp caught_at = 9;
          reserved 10, 12 to 14;
          reserved "old_name";

          message Move {
            option deprecated = true;
            string name = 1;
            uint32 power = 2 [deprecated = true, (custom.field) = { a: 1 }];
          }
        }

        message Trainer {
          enum Rank {
            option allow_alias = true;
            RANK_UNSPECIFIED = 0;
            ROOKIE = 1;
            BEGINNER = 1 [deprecated = true];
            MASTER = 2;
            NEGATIVE = -1;
          }
          string name = 1;
          Rank rank = 2;
          oneof contact {
            option (custom.oneof) = true;
            string email = 3;
            int64 phone = 4;
            Pokemon favorite = 7;
          }
          optional int32 age = 5;
          map<int64, Pokemon> team = 6;
        }

        message GetPokemonRequest {
          int32 skip = 1;
          int32 take = 2;
          google.protobuf.FieldMask mask = 3;
        }

        message GetPokemonListResponse {
          repeated Pokemon items = 1;
          int32 total_count = 2;
          google.protobuf.Duration took = 3;
          google.protobuf.Int64Value next = 4;
          google.protobuf.Struct extra = 5;
          google.protobuf.Any detail = 6;
          .pokeshop.v1.Pokemon first = 7;
        }

        message ImportPokemonRequest { int32 id = 1; ; }

        service Pokeshop {
          option (custom.service) = "x";
          rpc getPokemonList (GetPokemonRequest) returns (GetPokemonListResponse) {}
          rpc createPokemon (Pokemon) returns (Pokemon);
          rpc importPokemon (ImportPokemonRequest) returns (ImportPokemonRequest) {
            option deprecated = true;
            option (google.api.http) = { post: "/pokemon/import" body: "*" };
          }
          rpc watch (google.protobuf.Empty) returns (stream Pokemon);
          rpc upload (stream Pokemon) returns (stream .google.protobuf.Empty);
        }

        service Health {
          rpc Check (google.protobuf.Empty) returns (google.protobuf.Empty);
        }

        extend google.protobuf.FieldOptions {
          optional string field = 50000;
        }
        """

    static let proto2 = """
        syntax = "proto2";
        package legacy;

        message Order {
          required int64 id = 1;
          optional string note = 2 [default = "none"];
          optional double price = 3 [default = -inf];
          optional Status status = 4 [default = OPEN];
          repeated int32 codes = 5;
          repeated int32 packed_codes = 6 [packed = true];
          optional Line line = 7;
          optional bool gift = 8 [default = true];
          extensions 100 to max;

          message Line {
            required string sku = 1;
            optional uint32 quantity = 2 [default = 1];
          }
        }

        enum Status {
          OPEN = 1;
          CLOSED = 2;
        }

        extend Order {
          optional string extra = 100;
        }

        service Orders {
          rpc Place (Order) returns (Order);
        }
        """

    // Every scalar type, for round trips.
    static let scalars = """
        syntax = "proto3";
        package types;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/duration.proto";
        import "google/protobuf/wrappers.proto";
        import "google/protobuf/struct.proto";
        import "google/protobuf/field_mask.proto";
        import "google/protobuf/empty.proto";
        import "google/protobuf/any.proto";

        enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }

        message Scalars {
          double d = 1;
          float f = 2;
          int32 i32 = 3;
          int64 i64 = 4;
          uint32 u32 = 5;
          uint64 u64 = 6;
          sint32 s32 = 7;
          sint64 s64 = 8;
          fixed32 fx32 = 9;
          fixed64 fx64 = 10;
          sfixed32 sf32 = 11;
          sfixed64 sf64 = 12;
          bool b = 13;
          string s = 14;
          bytes by = 15;
          Color color = 16;
        }

        message Repeats {
          repeated double d = 1;
          repeated float f = 2;
          repeated int32 i32 = 3;
          repeated int64 i64 = 4;
          repeated uint32 u32 = 5;
          repeated uint64 u64 = 6;
          repeated sint32 s32 = 7;
          repeated sint64 s64 = 8;
          repeated fixed32 fx32 = 9;
          repeated fixed64 fx64 = 10;
          repeated sfixed32 sf32 = 11;
          repeated sfixed64 sf64 = 12;
          repeated bool b = 13;
          repeated string s = 14;
          repeated bytes by = 15;
          repeated Color color = 16;
          repeated Scalars nested = 17;
          repeated int32 unpacked = 18 [packed = false];
        }

        message Maps {
          map<string, string> ss = 1;
          map<int32, Scalars> im = 2;
          map<bool, Color> be = 3;
          map<uint64, bytes> ub = 4;
          map<sint32, double> sd = 5;
          map<string, google.protobuf.Value> sv = 6;
        }

        message Choice {
          oneof pick {
            string text = 1;
            int32 number = 2;
            Scalars nested = 3;
            Color color = 4;
            google.protobuf.NullValue nothing = 5;
          }
          optional string maybe = 6;
          optional Scalars maybe_nested = 7;
        }

        message Known {
          google.protobuf.Timestamp at = 1;
          google.protobuf.Duration took = 2;
          google.protobuf.DoubleValue dv = 3;
          google.protobuf.FloatValue fv = 4;
          google.protobuf.Int64Value i64v = 5;
          google.protobuf.UInt64Value u64v = 6;
          google.protobuf.Int32Value i32v = 7;
          google.protobuf.UInt32Value u32v = 8;
          google.protobuf.BoolValue bv = 9;
          google.protobuf.StringValue sv = 10;
          google.protobuf.BytesValue byv = 11;
          google.protobuf.Struct st = 12;
          google.protobuf.Value val = 13;
          google.protobuf.ListValue list = 14;
          google.protobuf.FieldMask mask = 15;
          google.protobuf.Empty empty = 16;
          google.protobuf.Any any = 17;
          repeated google.protobuf.Timestamp times = 18;
        }

        message Tree {
          string name = 1;
          repeated Tree children = 2;
          Tree parent = 3;
        }
        """

    static func schema(_ text: String) throws -> ProtoSchema { try ProtoSchema(parsing: text) }

    // The JSON document in `text`, for comparing values rather than text.
    static func json(_ text: String) -> JSONValue? { JSONParser.parse(text) }
}
