import Foundation
import MLGymToolSupport
import Testing

/// The Foundation-free JSON must read what mlgymd writes and write what `JSONEncoder` (as the project configures
/// it) writes, byte for byte, since the light tools print it where the full client used to.
struct JSONTests {
    struct Sample: Codable {
        var text: String
        var path = "/home/agent/workspace/a b.py"
        var emptyList: [Int] = []
        var emptyObject: [String: Int] = [:]
        var nested: [String: [Int]] = ["b": [1, 2], "a": []]
        var flag = true
        var count = -42
        var missing: String?
    }

    static let awkward = String((0..<0x20).map { Character(Unicode.Scalar($0)!) }) + "\"\\/ é 😀 \u{7F} \u{2028}"

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    @Test(arguments: [false, true])
    func writesWhatJSONEncoderWrites(pretty: Bool) throws {
        let sample = Sample(text: Self.awkward)
        let expected = String(decoding: try Self.encoder(pretty: pretty).encode(sample), as: UTF8.self)
        let parsed = try JSONParser.parse(Array(expected.utf8))
        #expect(JSONWriter.text(parsed, pretty: pretty) == expected)
        #expect(parsed["text"]?.stringValue == Self.awkward)
        #expect(parsed["count"]?.intValue == -42 && parsed["flag"]?.boolValue == true && parsed["missing"] == nil)
    }

    @Test func numbersKeepTheirDigits() throws {
        let document = try JSONParser.parse(#"{"score": 1.0240000000000001, "big": 1e300, "small": -0.5E-3, "whole": 7}"#)
        #expect(JSONWriter.text(document) == #"{"big":1e300,"score":1.0240000000000001,"small":-0.5E-3,"whole":7}"#)
        #expect(document["score"]?.doubleValue == 1.0240000000000001 && document["whole"]?.intValue == 7 && document["big"]?.intValue == nil)
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let document = try JSONParser.parse(#"["\u00e9\ud83d\ude00\n\/\"", "plain"]"#)
        #expect(document.arrayValue?.first?.stringValue == "é😀\n/\"")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"a", "\"\u{1}\"", "\"\\x\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\u12\"", "{1:2}", "[1 2]", "1 2", "nul", "{\"a\" 1}",
    ])
    func malformedDocumentsAreRefused(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func invalidUTF8InAStringIsRefused() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let failure = try #require(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        #expect(failure.reason.contains("nested deeper"))
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try JSONParser.parse(allowed) }
    }
}
