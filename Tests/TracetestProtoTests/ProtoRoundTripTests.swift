import Testing
import TracetestModel

@testable import TracetestProto

// JSON → binary → JSON through our own codec.
@Suite struct ProtoRoundTripTests {
    let schema: ProtoSchema

    init() throws { schema = try ProtoSchema(parsing: ProtoFixtures.scalars) }

    private func roundTrip(_ json: String, _ type: String) throws -> String {
        try schema.decodeToJSON(try schema.encode(json: json, as: type), as: type)
    }

    @Test func everyScalarType() throws {
        let json = """
            {"d": 1.5, "f": 0.25, "i32": -42, "i64": "-9223372036854775808", "u32": 4294967295,
             "u64": "18446744073709551615", "s32": -2147483648, "s64": "9223372036854775807", "fx32": 7,
             "fx64": "8", "sf32": -9, "sf64": "-10", "b": true, "s": "h\\u00e9llo \\"q\\" \\n\\u0001", "by": "AAEC/w==",
             "color": "GREEN"}
            """
        let bytes = try schema.encode(json: json, as: "types.Scalars")
        // s32 = -2147483648 zigzags to 4294967295; sf32 = -9 is four little-endian bytes.
        #expect(bytes.contains(subsequence: [0x38, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]))
        #expect(bytes.contains(subsequence: [0x5D, 0xF7, 0xFF, 0xFF, 0xFF]))
        #expect(bytes.contains(subsequence: [0x18, 0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
        #expect(
            try schema.decodeToJSON(bytes, as: "types.Scalars") == """
                {
                  "d": 1.5,
                  "f": 0.25,
                  "i32": -42,
                  "i64": "-9223372036854775808",
                  "u32": 4294967295,
                  "u64": "18446744073709551615",
                  "s32": -2147483648,
                  "s64": "9223372036854775807",
                  "fx32": 7,
                  "fx64": "8",
                  "sf32": -9,
                  "sf64": "-10",
                  "b": true,
                  "s": "h\u{e9}llo \\"q\\" \\n\\u0001",
                  "by": "AAEC/w==",
                  "color": "GREEN"
                }
                """)
    }

    @Test func unsetFieldsShowTheirDefaults() throws {
        let expected = """
            {
              "d": 0,
              "f": 0,
              "i32": 0,
              "i64": "0",
              "u32": 0,
              "u64": "0",
              "s32": 0,
              "s64": "0",
              "fx32": 0,
              "fx64": "0",
              "sf32": 0,
              "sf64": "0",
              "b": false,
              "s": "",
              "by": "",
              "color": "COLOR_UNSPECIFIED"
            }
            """
        #expect(try schema.decodeToJSON([], as: "types.Scalars") == expected)
        let defaults = """
            {"d": 0, "f": -0.0, "i32": "0", "i64": 0, "u32": 0, "u64": "0", "s32": 0, "s64": 0, "fx32": 0, "fx64": 0,
             "sf32": 0, "sf64": 0, "b": false, "s": "", "by": "", "color": "COLOR_UNSPECIFIED"}
            """
        // Defaults are left out in proto3, except -0.0, which is not the default.
        #expect(try schema.encode(json: defaults, as: "types.Scalars") == [0x15, 0, 0, 0, 0x80])
        #expect(try schema.encode(json: "", as: "types.Scalars") == [])
        #expect(try schema.encode(json: " \n{}", as: "types.Scalars") == [])
    }

    @Test func alternativeJSONForms() throws {
        let json = """
            {"i32": "12", "i64": 12, "u64": 1e3, "d": "NaN", "f": "-Infinity", "by": "-_8", "color": 2, "sf32": "1.0e1",
             "fx64": "18446744073709551615", "u32": 4.0, "s64": -0, "b": false, "unknown": {"deep": [1, {"x": null}]}}
            """
        let value = try #require(ProtoFixtures.json(try roundTrip(json, "types.Scalars")))
        #expect(value["i32"] == .number("12"))
        #expect(value["i64"] == .string("12"))
        #expect(value["u64"] == .string("1000"))
        #expect(value["d"] == .string("NaN"))
        #expect(value["f"] == .string("-Infinity"))
        #expect(value["by"] == .string("+/8="))
        #expect(value["color"] == .string("GREEN"))
        #expect(value["sf32"] == .number("10"))
        #expect(value["fx64"] == .string("18446744073709551615"))
        #expect(value["u32"] == .number("4"))
        #expect(value["unknown"] == nil)
        let unknownEnum = try schema.encode(json: #"{"color": 77}"#, as: "types.Scalars")
        #expect(
            try ProtoFixtures.json(schema.decodeToJSON(unknownEnum, as: "types.Scalars"))?["color"] == .number("77"))
    }

    @Test func originalAndJSONNamesBothWork() throws {
        let pokeshop = try ProtoSchema(parsing: ProtoFixtures.pokeshop)
        let byJSON = try pokeshop.encode(json: #"{"imageURL": "a.png", "isFeatured": true}"#, as: "pokeshop.v1.Pokemon")
        let byName = try pokeshop.encode(
            json: #"{"image_url": "a.png", "is_featured": true}"#, as: ".pokeshop.v1.Pokemon")
        #expect(byJSON == byName)
        #expect(byJSON == [0x22, 5] + Array("a.png".utf8) + [0x28, 1])
        let text = try pokeshop.decodeToJSON(byJSON, as: "pokeshop.v1.Pokemon")
        #expect(text.contains("\"imageURL\": \"a.png\",\n  \"isFeatured\": true,"))
    }

    @Test func nullMeansDefault() throws {
        let json = #"{"d": null, "s": null, "color": null, "by": null}"#
        #expect(try schema.encode(json: json, as: "types.Scalars") == [])
        #expect(try schema.encode(json: #"{"nested": null, "s": null}"#, as: "types.Repeats") == [])
    }

    @Test func repeatedFieldsPackedAndUnpacked() throws {
        let json = """
            {"d": [1, -2.5], "f": [0.5], "i32": [1, 2, 3], "i64": ["-1"], "u32": [0], "u64": ["1"], "s32": [-1, 1],
             "s64": ["-2"], "fx32": [1], "fx64": ["2"], "sf32": [-3], "sf64": ["-4"], "b": [true, false],
             "s": ["a", ""], "by": ["AQ==", ""], "color": ["RED", 0], "nested": [{"i32": 1}, {}], "unpacked": [1, 2]}
            """
        let bytes = try schema.encode(json: json, as: "types.Repeats")
        #expect(bytes.contains(subsequence: [0x1A, 3, 1, 2, 3]))
        #expect(bytes.contains(subsequence: [0x90, 0x01, 0x01, 0x90, 0x01, 0x02]))
        #expect(bytes.contains(subsequence: [0x3A, 2, 0x01, 0x02]))
        let value = try #require(ProtoFixtures.json(try schema.decodeToJSON(bytes, as: "types.Repeats")))
        #expect(value["d"] == .array([.number("1"), .number("-2.5")]))
        #expect(value["i64"] == .array([.string("-1")]))
        #expect(value["s32"] == .array([.number("-1"), .number("1")]))
        #expect(value["b"] == .array([.bool(true), .bool(false)]))
        #expect(value["s"] == .array([.string("a"), .string("")]))
        #expect(value["by"] == .array([.string("AQ=="), .string("")]))
        #expect(value["color"] == .array([.string("RED"), .string("COLOR_UNSPECIFIED")]))
        #expect(value["nested"].flatMap { if case .array(let items) = $0 { items.count } else { nil } } == 2)
        #expect(value["unpacked"] == .array([.number("1"), .number("2")]))
        // Either encoding is read: field 3 unpacked, field 18 packed.
        let mixed: [UInt8] = [0x18, 5, 0x18, 6, 0x92, 0x01, 2, 7, 8, 0x1A, 1, 9]
        let decoded = try #require(ProtoFixtures.json(try schema.decodeToJSON(mixed, as: "types.Repeats")))
        #expect(decoded["i32"] == .array([.number("5"), .number("6"), .number("9")]))
        #expect(decoded["unpacked"] == .array([.number("7"), .number("8")]))
        #expect(try schema.decodeToJSON([], as: "types.Repeats").contains("\"nested\": [],\n  \"unpacked\": []\n}"))
    }

    @Test func maps() throws {
        let json = """
            {"ss": {"b": "2", "a": "1", "": "empty"}, "im": {"10": {"i32": 1}, "-2": {}, "3": {}},
             "be": {"true": "RED", "false": 2}, "ub": {"18446744073709551615": "AQ==", "2": ""},
             "sd": {"-1": 0.5, "-10": 1}, "sv": {"k": null, "n": [1, "x", {"y": true}]}}
            """
        let text = try roundTrip(json, "types.Maps")
        let value = try #require(ProtoFixtures.json(text))
        #expect(
            value["ss"]
                == .object([
                    .init(key: "", value: .string("empty")), .init(key: "a", value: .string("1")),
                    .init(key: "b", value: .string("2")),
                ]))
        guard case .object(let im) = value["im"] else {
            Issue.record("im is not an object")
            return
        }
        #expect(im.map(\.key) == ["-2", "3", "10"])
        #expect(im[2].value["i32"] == .number("1"))
        #expect(im[0].value["s"] == .string(""))
        #expect(
            value["be"]
                == .object([.init(key: "false", value: .string("GREEN")), .init(key: "true", value: .string("RED"))]))
        #expect(
            value["ub"]
                == .object([
                    .init(key: "2", value: .string("")), .init(key: "18446744073709551615", value: .string("AQ==")),
                ]))
        #expect(
            value["sd"] == .object([.init(key: "-10", value: .number("1")), .init(key: "-1", value: .number("0.5"))]))
        #expect(value["sv"]?["k"] == .null)
        #expect(
            value["sv"]?["n"] == .array([.number("1"), .string("x"), .object([.init(key: "y", value: .bool(true))])]))
        #expect(try roundTrip("{}", "types.Maps").contains("\"ss\": {},"))
        // A duplicate key on the wire: the last entry wins.
        let twice: [UInt8] = [0x0A, 6, 0x0A, 1, 0x6B, 0x12, 1, 0x31, 0x0A, 6, 0x0A, 1, 0x6B, 0x12, 1, 0x32]
        #expect(
            try ProtoFixtures.json(schema.decodeToJSON(twice, as: "types.Maps"))?["ss"]
                == .object([.init(key: "k", value: .string("2"))]))
        // An entry without key or value reads as the defaults.
        #expect(
            try ProtoFixtures.json(schema.decodeToJSON([0x0A, 0], as: "types.Maps"))?["ss"]
                == .object([.init(key: "", value: .string(""))]))
    }

    @Test func oneofs() throws {
        #expect(try roundTrip(#"{"number": 5}"#, "types.Choice") == "{\n  \"number\": 5\n}")
        #expect(try schema.encode(json: #"{"text": ""}"#, as: "types.Choice") == [0x0A, 0])
        #expect(try roundTrip(#"{"text": ""}"#, "types.Choice") == "{\n  \"text\": \"\"\n}")
        #expect(try roundTrip(#"{"nothing": null}"#, "types.Choice") == "{\n  \"nothing\": null\n}")
        #expect(
            try roundTrip(#"{"color": "COLOR_UNSPECIFIED", "maybe": ""}"#, "types.Choice")
                == "{\n  \"color\": \"COLOR_UNSPECIFIED\",\n  \"maybe\": \"\"\n}")
        #expect(try roundTrip(#"{"text": null, "number": 1}"#, "types.Choice") == "{\n  \"number\": 1\n}")
        #expect(
            try roundTrip(#"{"maybeNested": {"b": true}}"#, "types.Choice").contains(
                "\"maybeNested\": {\n    \"d\": 0,"))
        #expect(try roundTrip("{}", "types.Choice") == "{}")
        // The member set last on the wire wins.
        #expect(try schema.decodeToJSON([0x0A, 1, 0x61, 0x10, 7], as: "types.Choice") == "{\n  \"number\": 7\n}")
        #expect(try schema.decodeToJSON([0x10, 7, 0x0A, 1, 0x61], as: "types.Choice") == "{\n  \"text\": \"a\"\n}")
        // A message member merges only what follows the last other member.
        let merged: [UInt8] = [0x1A, 2, 0x18, 1, 0x10, 7, 0x1A, 2, 0x20, 2]
        let value = try #require(ProtoFixtures.json(try schema.decodeToJSON(merged, as: "types.Choice")))
        #expect(value["nested"]?["i32"] == .number("0"))
        #expect(value["nested"]?["i64"] == .string("2"))
    }

    @Test func nestedAndRecursiveMessages() throws {
        let json = #"{"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}]}"#
        #expect(
            try roundTrip(json, "types.Tree") == """
                {
                  "name": "root",
                  "children": [
                    {
                      "name": "a",
                      "children": [
                        {
                          "name": "b",
                          "children": [],
                          "parent": null
                        }
                      ],
                      "parent": null
                    }
                  ],
                  "parent": null
                }
                """)
        // Repeated occurrences of a singular message field merge.
        let twice: [UInt8] = [0x1A, 3, 0x0A, 1, 0x61, 0x1A, 2, 0x12, 0]
        let value = try #require(ProtoFixtures.json(try schema.decodeToJSON(twice, as: "types.Tree")))
        #expect(value["parent"]?["name"] == .string("a"))
        #expect(
            value["parent"]?["children"]
                == .array([
                    .object([
                        .init(key: "name", value: .string("")), .init(key: "children", value: .array([])),
                        .init(key: "parent", value: .null),
                    ])
                ]))
    }

    @Test func proto2PresenceAndDefaults() throws {
        let legacy = try ProtoSchema(parsing: ProtoFixtures.proto2)
        #expect(
            try legacy.decodeToJSON([0x08, 5], as: "legacy.Order") == """
                {
                  "id": "5",
                  "note": null,
                  "price": null,
                  "status": null,
                  "codes": [],
                  "packedCodes": [],
                  "line": null,
                  "gift": null
                }
                """)
        let bytes = try legacy.encode(
            json: #"{"id": 0, "note": "", "codes": [1, 2], "packedCodes": [3], "status": "CLOSED"}"#, as: "legacy.Order"
        )
        #expect(bytes == [0x08, 0, 0x12, 0, 0x20, 2, 0x28, 1, 0x28, 2, 0x32, 1, 3])
        let value = try #require(ProtoFixtures.json(try legacy.decodeToJSON(bytes, as: "legacy.Order")))
        #expect(value["note"] == .string(""))
        #expect(value["status"] == .string("CLOSED"))
        #expect(value["line"] == .null)
        // A proto2 enum is closed: a number it does not declare is an unknown field, so the field stays unset.
        let undeclared = try #require(
            ProtoFixtures.json(try legacy.decodeToJSON([0x08, 1, 0x20, 9], as: "legacy.Order")))
        #expect(undeclared["status"] == .null)
        #expect(
            try ProtoFixtures.json(schema.decodeToJSON([0x80, 0x01, 9], as: "types.Scalars"))?["color"] == .number("9"))
    }

    @Test func floatsPrintAsGoPrintsThem() throws {
        let cases: [(String, String)] = [
            ("0.1", "0.1"), ("1e-7", "1e-7"), ("1e21", "1e+21"), ("123456789012345678", "123456789012345680"),
            ("1e20", "100000000000000000000"), ("-0.000001", "-0.000001"), ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"), ("-0.0", "-0"), ("100", "100"),
            ("2.5e-5", "0.000025"),
        ]
        for (input, expected) in cases {
            let value = try #require(ProtoFixtures.json(try roundTrip("{\"d\": \(input)}", "types.Scalars")))
            #expect(value["d"] == .number(expected), "double \(input)")
        }
        let floats: [(String, String)] = [
            ("0.1", "0.1"), ("3.4028235e38", "3.4028235e+38"), ("1e-7", "1e-7"), ("16777217", "16777216"),
        ]
        for (input, expected) in floats {
            let value = try #require(ProtoFixtures.json(try roundTrip("{\"f\": \(input)}", "types.Scalars")))
            #expect(value["f"] == .number(expected), "float \(input)")
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
