import Testing
import TracetestModel

@testable import TracetestProto

@Suite struct ProtoWellKnownTypeTests {
    let schema: ProtoSchema

    init() throws { schema = try ProtoSchema(parsing: ProtoFixtures.scalars) }

    @Test func allWellKnownTypesRoundTrip() throws {
        let json = """
            {"at": "2024-05-01T10:00:00.5+02:00", "took": "-1.000000001s", "dv": 1.5, "fv": "NaN", "i64v": "-5",
             "u64v": 5, "i32v": "7", "u32v": 8, "bv": false, "sv": "s", "byv": "AQID",
             "st": {"a": 1, "b": [true, null, {"c": "d"}]}, "val": "x", "list": [1, 2.5],
             "mask": "fooBar,baz.quxQuux", "empty": {},
             "any": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"},
             "times": ["1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"]}
            """
        let bytes = try schema.encode(json: json, as: "types.Known")
        #expect(
            try schema.decodeToJSON(bytes, as: "types.Known") == """
                {
                  "at": "2024-05-01T08:00:00.500Z",
                  "took": "-1.000000001s",
                  "dv": 1.5,
                  "fv": "NaN",
                  "i64v": "-5",
                  "u64v": "5",
                  "i32v": 7,
                  "u32v": 8,
                  "bv": false,
                  "sv": "s",
                  "byv": "AQID",
                  "st": {
                    "a": 1,
                    "b": [
                      true,
                      null,
                      {
                        "c": "d"
                      }
                    ]
                  },
                  "val": "x",
                  "list": [
                    1,
                    2.5
                  ],
                  "mask": "fooBar,baz.quxQuux",
                  "empty": {},
                  "any": {
                    "@type": "type.googleapis.com/google.protobuf.Duration",
                    "value": "2s"
                  },
                  "times": [
                    "1970-01-01T00:00:00Z",
                    "0001-01-01T00:00:00Z",
                    "9999-12-31T23:59:59.999999999Z"
                  ]
                }
                """)
    }

    @Test func unsetWellKnownFieldsAreNull() throws {
        let value = try #require(ProtoFixtures.json(try schema.decodeToJSON([], as: "types.Known")))
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.count == 18)
        #expect(members.dropLast().allSatisfy { $0.value == .null })
        #expect(members.last?.value == .array([]))
    }

    @Test func valueKindsAndNull() throws {
        let cases: [(String, String)] = [
            (#"{"val": null}"#, "null"), (#"{"val": 3}"#, "3"), (#"{"val": true}"#, "true"), (#"{"val": {}}"#, "{}"),
            (#"{"val": []}"#, "[]"), (#"{"val": ""}"#, "\"\""),
        ]
        for (json, expected) in cases {
            let bytes = try schema.encode(json: json, as: "types.Known")
            let text = try schema.decodeToJSON(bytes, as: "types.Known")
            #expect(text.contains("\"val\": \(expected),"), "\(json)")
        }
        // A Value with no kind set reads as null.
        #expect(try schema.decodeToJSON([0x6A, 0], as: "types.Known").contains("\"val\": null,"))
    }

    @Test func topLevelWellKnownTypes() throws {
        func roundTrip(_ json: String, _ type: String) throws -> String {
            try schema.decodeToJSON(try schema.encode(json: json, as: type), as: type)
        }
        #expect(try roundTrip("\"1.5s\"", "google.protobuf.Duration") == "\"1.500s\"")
        #expect(try roundTrip("\"-0.5s\"", "google.protobuf.Duration") == "\"-0.500s\"")
        #expect(try roundTrip("\"0s\"", "google.protobuf.Duration") == "\"0s\"")
        #expect(
            try roundTrip("\"2024-02-29T23:59:59.000001Z\"", "google.protobuf.Timestamp")
                == "\"2024-02-29T23:59:59.000001Z\"")
        #expect(
            try roundTrip("\"1969-12-31T23:59:59-00:30\"", "google.protobuf.Timestamp") == "\"1970-01-01T00:29:59Z\"")
        #expect(try roundTrip("42", "google.protobuf.Int32Value") == "42")
        #expect(try roundTrip("\"42\"", "google.protobuf.UInt64Value") == "\"42\"")
        #expect(try roundTrip("[1, {\"a\": []}]", "google.protobuf.ListValue") == "[\n  1,\n  {\n    \"a\": []\n  }\n]")
        #expect(try roundTrip("{\"b\": 1, \"a\": 2}", "google.protobuf.Struct") == "{\n  \"a\": 2,\n  \"b\": 1\n}")
        #expect(try roundTrip("null", "google.protobuf.Value") == "null")
        #expect(try roundTrip("\"\"", "google.protobuf.FieldMask") == "\"\"")
        #expect(try roundTrip("{}", "google.protobuf.Empty") == "{}")
        #expect(try roundTrip("{}", "google.protobuf.Any") == "{}")
        #expect(try roundTrip("true", "google.protobuf.BoolValue") == "true")
        #expect(
            try roundTrip(#"{"@type": "x/types.Choice", "number": 3}"#, "google.protobuf.Any")
                == "{\n  \"@type\": \"x/types.Choice\",\n  \"number\": 3\n}")
    }

    @Test func invalidWellKnownBinaries() throws {
        // seconds = 253402300800 (year 10000).
        var writer = WireWriter()
        writer.tag(1, .varint)
        writer.varint(253_402_300_800)
        #expect(
            throws: ProtoError(
                "response: invalid google.protobuf.Timestamp (seconds 253402300800, nanos 0): it must lie between 0001-01-01 and 9999-12-31 with nanos from 0 to 999999999"
            )
        ) {
            try schema.decodeToJSON(writer.bytes, as: "google.protobuf.Timestamp")
        }
        // A duration with seconds and nanos of different signs.
        #expect(throws: ProtoError.self) {
            try schema.decodeToJSON(
                [0x08, 1, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                as: "google.protobuf.Duration")
        }
        #expect(
            throws: ProtoError(
                "response field \"any\": cannot show the google.protobuf.Any of type \"x/nope.Nope\": the schema has no such message"
            )
        ) {
            try schema.decodeToJSON([0x8A, 0x01, 13, 0x0A, 11] + Array("x/nope.Nope".utf8), as: "types.Known")
        }
    }

    @Test func timeText() {
        #expect(TimeText.formatTimestamp(seconds: 0, nanos: 0) == "1970-01-01T00:00:00Z")
        #expect(TimeText.formatTimestamp(seconds: -1, nanos: 999_000_000) == "1969-12-31T23:59:59.999Z")
        #expect(TimeText.formatTimestamp(seconds: 951_782_400, nanos: 10) == "2000-02-29T00:00:00.000000010Z")
        #expect(TimeText.formatTimestamp(seconds: -62_135_596_801, nanos: 0) == nil)
        #expect(TimeText.formatTimestamp(seconds: 0, nanos: -1) == nil)
        #expect(TimeText.parseTimestamp("2000-02-30T00:00:00Z") == nil)
        #expect(TimeText.parseTimestamp("2001-02-29T00:00:00Z") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01 00:00:00Z") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01T00:00:00") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01T00:00:00.Z") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01T00:00:00.1234567890Z") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01T24:00:00Z") == nil)
        #expect(TimeText.parseTimestamp("2000-01-01T00:00:00+01:00")?.seconds == 946_681_200)
        #expect(TimeText.formatDuration(seconds: 1, nanos: 500_000) == "1.000500s")
        #expect(TimeText.formatDuration(seconds: 0, nanos: -1) == "-0.000000001s")
        #expect(TimeText.formatDuration(seconds: 1, nanos: -1) == nil)
        #expect(TimeText.parseDuration("1.5s")?.nanos == 500_000_000)
        #expect(TimeText.parseDuration("-315576000000s")?.seconds == -315_576_000_000)
        #expect(TimeText.parseDuration("1.s") == nil)
        #expect(TimeText.parseDuration("s") == nil)
        #expect(TimeText.parseDuration("+1s") == nil)
        #expect(TimeText.parseDuration("99999999999999999999s") == nil)
    }

    @Test func base64() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64.encode(Array("hello".utf8)[...]) == "aGVsbG8=")
        #expect(Base64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
        #expect(Base64.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("aGVsbG8==") == nil)
        #expect(Base64.decode("a=bc") == nil)
        #expect(Base64.decode("") == [])
    }
}
