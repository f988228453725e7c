import SwiftProtobuf
import TestSupport
import Testing

@testable import TracetestProto

// Mutated, truncated and random inputs: every one ends in a value or a ``ProtoError``, never a crash or a hang.
@Suite struct ProtoFuzzTests {
    static let tokens: [String] = [
        "{", "}", "(", ")", "[", "]", "<", ">", ";", ",", "=", ".", "-", "\"", "'", "/*", "*/", "//", "\n", " ",
        "message", "enum", "service", "rpc", "returns", "stream", "oneof", "map<", "map<string, int32>", "option",
        "optional", "repeated", "required", "reserved", "extensions", "extend", "group", "import", "package",
        "syntax", "edition", "\"proto3\"", "\"proto2\"", "int32", "string", "bytes", "double", "google.protobuf.Any",
        ".pkg.Type", "0", "1", "-1", "0x7fffffff", "536870911", "536870912", "19000", "99999999999999999999", "1.5e3",
        "inf", "nan", "to", "max", "true", "\\", "\\x", "\\u12", "é", "\u{0}", "[json_name = \"x\"]",
        "[packed = true]", "[default = 1]", "allow_alias", "{ a: { b: [1, 2] } }",
    ]

    private static func mutate(_ seed: [UInt8], _ random: inout SplitMix64, tokens: [[UInt8]]) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: bytes = Array(bytes.prefix(position))
            case 1 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 2: bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: position)
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
                bytes.removeSubrange(position..<end)
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
            case 5 where position < bytes.count:
                bytes[position] = UInt8.random(in: 0x20...0x7E, using: &random)
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            }
        }
        return bytes
    }

    @Test func parserSurvivesMutatedInput() throws {
        let seeds = [
            ProtoFixtures.pokeshop, ProtoFixtures.proto2, ProtoFixtures.scalars, ProtoInteropFixtures.itemText,
            ProtoInteropFixtures.descriptorSubset,
        ].map { Array($0.utf8) }
        let tokens = Self.tokens.map { Array($0.utf8) }
        var random = SplitMix64(state: 0x5EED_0001)
        let clock = ContinuousClock()
        let start = clock.now
        var parsed = 0
        var failed = 0
        let count = 100_000
        for index in 0..<count {
            var input: [UInt8]
            switch index % 10 {
            case 0:
                input = (0..<Int.random(in: 0...40, using: &random)).flatMap { _ in
                    tokens[Int.random(in: 0..<tokens.count, using: &random)] + [0x20]
                }
            case 1, 2:
                input = Self.mutate(seeds[index % seeds.count], &random, tokens: tokens)
            default:
                // A window of a seed: most inputs stay small, so the run stays short.
                let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
                let from = Int.random(in: 0..<seed.count, using: &random)
                let length = Int.random(in: 1...600, using: &random)
                input = Self.mutate(Array(seed[from..<min(seed.count, from + length)]), &random, tokens: tokens)
            }
            do {
                let schema = try ProtoSchema(parsing: String(decoding: input, as: UTF8.self))
                parsed += 1
                if let type = schema.messages.keys.sorted().first(where: { schema.messages[$0]?.isMapEntry == false }) {
                    _ = try? schema.decodeToJSON(Array(input.prefix(32)), as: type)
                    _ = try? schema.encode(json: "{}", as: type)
                }
            } catch {
                failed += 1
                #expect(!error.message.isEmpty)
            }
        }
        let elapsed = clock.now - start
        print("parser fuzz: \(count) inputs, \(parsed) parsed, \(failed) errors, in \(elapsed)")
        #expect(parsed + failed == count)
    }

    @Test func decoderSurvivesMutatedBinary() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.scalars)
        let samples: [(String, String)] = [
            (
                "types.Scalars",
                #"{"d": 1.5, "f": 2, "i32": -1, "i64": "-2", "u64": "3", "s32": -4, "s64": "5", "fx32": 6, "fx64": "7", "sf32": -8, "sf64": "9", "b": true, "s": "hé", "by": "AQI=", "color": "RED"}"#
            ),
            (
                "types.Repeats",
                #"{"d": [1, 2], "i32": [1, -1, 300], "s": ["a", "b"], "color": ["RED", 5], "nested": [{"s": "x"}], "unpacked": [1, 2], "s64": ["-1", "1"]}"#
            ),
            (
                "types.Maps",
                #"{"ss": {"a": "b"}, "im": {"1": {"i32": 2}}, "be": {"true": "RED"}, "ub": {"5": "AQ=="}, "sd": {"-1": 0.5}, "sv": {"k": [1, {"a": null}]}}"#
            ),
            ("types.Choice", #"{"nested": {"i32": 1}, "maybe": "x", "maybeNested": {}}"#),
            (
                "types.Known",
                #"{"at": "2024-01-01T00:00:00.5Z", "took": "1.5s", "dv": 1, "i64v": "5", "sv": "x", "st": {"a": [1, "b", {"c": true}]}, "val": {"x": null}, "list": [1], "mask": "a.b,cD", "empty": {}, "any": {"@type": "type.googleapis.com/types.Scalars", "i32": 5}, "times": ["1970-01-01T00:00:01Z"]}"#
            ),
            (
                "types.Tree",
                #"{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}], "parent": {"parent": {"name": "p"}}}"#
            ),
        ]
        let seeds = try samples.map { ($0.0, try schema.encode(json: $0.1, as: $0.0)) }
        let types = samples.map(\.0) + ["google.protobuf.Struct", "google.protobuf.Any", "google.protobuf.Timestamp"]
        var random = SplitMix64(state: 0x5EED_0002)
        let clock = ContinuousClock()
        let start = clock.now
        var decoded = 0
        var failed = 0
        let count = 120_000
        for index in 0..<count {
            let (seedType, seed) = seeds[index % seeds.count]
            var input: [UInt8]
            switch index % 8 {
            case 0:
                input = (0..<Int.random(in: 0...64, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1: input = Array(seed.prefix(Int.random(in: 0...seed.count, using: &random)))
            case 2: input = seed + seeds[Int.random(in: 0..<seeds.count, using: &random)].1
            default:
                input = seed
                for _ in 0..<Int.random(in: 1...3, using: &random) where !input.isEmpty {
                    let position = Int.random(in: 0..<input.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: input[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                    case 1: input[position] = UInt8.random(in: 0...255, using: &random)
                    case 2: input.insert(UInt8.random(in: 0...255, using: &random), at: position)
                    default: input.remove(at: position)
                    }
                }
            }
            let type = index % 5 == 4 ? types[Int.random(in: 0..<types.count, using: &random)] : seedType
            do {
                let text = try schema.decodeToJSON(input, as: type)
                #expect(ProtoFixtures.json(text) != nil, "not JSON: \(text)")
                decoded += 1
            } catch {
                failed += 1
                #expect(!error.message.isEmpty)
            }
        }
        let elapsed = clock.now - start
        print("decoder fuzz: \(count) inputs, \(decoded) decoded, \(failed) errors, in \(elapsed)")
        #expect(decoded + failed == count)
    }

    @Test func encoderSurvivesMutatedJSON() throws {
        let schema = try ProtoSchema(parsing: ProtoFixtures.scalars)
        let seeds = [
            #"{"d": 1.5, "i64": "-2", "s": "x", "by": "AQI=", "color": "RED", "b": true, "u32": "7", "f": "NaN"}"#,
            #"{"ss": {"a": "b"}, "im": {"1": {"i32": 2}}, "be": {"true": 1}, "sv": {"k": [1, {"a": null}]}}"#,
            #"{"at": "2024-01-01T00:00:00.5Z", "took": "1.5s", "st": {"a": [1]}, "mask": "a.b", "any": {"@type": "x/types.Tree", "name": "n"}}"#,
            #"{"name": "a", "children": [{"name": "b"}], "parent": {"parent": {}}}"#,
        ].map { Array($0.utf8) }
        let types = ["types.Scalars", "types.Maps", "types.Known", "types.Tree", "types.Repeats", "types.Choice"]
        let tokens = [
            "{", "}", "[", "]", ",", ":", "\"", "null", "true", "1e400", "-0", "\"NaN\"", "{\"a\":", "\\u",
            "9999999999999999999999",
        ].map { Array($0.utf8) }
        var random = SplitMix64(state: 0x5EED_0003)
        let clock = ContinuousClock()
        let start = clock.now
        var encoded = 0
        let count = 30_000
        for index in 0..<count {
            let input = Self.mutate(seeds[index % seeds.count], &random, tokens: tokens)
            let type = types[Int.random(in: 0..<types.count, using: &random)]
            if let bytes = try? schema.encode(json: String(decoding: input, as: UTF8.self), as: type) {
                encoded += 1
                // What we encode, we decode.
                #expect(throws: Never.self) { try schema.decodeToJSON(bytes, as: type) }
            }
        }
        print("encoder fuzz: \(count) inputs, \(encoded) encoded, in \(clock.now - start)")
    }

    @Test func descriptorImportSurvivesMutatedDescriptors() throws {
        let seeds = try [ProtoInteropFixtures.itemFile, ProtoInteropFixtures.commonFile].map {
            try $0.serializedBytes() as [UInt8]
        }
        var random = SplitMix64(state: 0x5EED_0004)
        let clock = ContinuousClock()
        let start = clock.now
        var built = 0
        let count = 20_000
        for _ in 0..<count {
            var files = seeds
            let which = Int.random(in: 0..<files.count, using: &random)
            for _ in 0..<Int.random(in: 1...3, using: &random) where !files[which].isEmpty {
                let position = Int.random(in: 0..<files[which].count, using: &random)
                files[which][position] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) {
                files[which] = Array(files[which].prefix(Int.random(in: 0...files[which].count, using: &random)))
            }
            if let schema = try? ProtoSchema(fileDescriptors: files) {
                built += 1
                _ = try? schema.decodeToJSON(Array(files[0].prefix(40)), as: "shop.Item")
            }
        }
        print("descriptor fuzz: \(count) inputs, \(built) built, in \(clock.now - start)")
    }
}
