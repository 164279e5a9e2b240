import Foundation
import MLGymToolSupport
import Testing

/// The small replacements for Foundation's text and path helpers give Foundation's answers.
struct TextTests {
    @Test(arguments: [0.125, 0.135, 0.994999, 0.995, 1.0, -0.004, 0, 123.456789, .pi])
    func fixedDigitsRoundAsPrintfDoes(value: Double) {
        #expect(TextFormat.fixed(value, digits: 2) == String(format: "%.2f", value))
        #expect(TextFormat.fixed(value, digits: 0) == String(format: "%.0f", value))
    }

    @Test func trimmingDropsWhitespaceOnBothEnds() {
        #expect(TextFormat.trimmed("  \t a b \n") == "a b")
        #expect(TextFormat.trimmed(" \n ") == "")
        #expect(TextFormat.trimmed("'scroll_down'") { $0 == "'" } == "scroll_down")
    }

    @Test func base64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }

    @Test(arguments: [
        ("/a/b.py", "/a", "b.py"), ("b.py", ".", "b.py"), ("/b.py", "/", "b.py"), ("/a/b/", "/a", "b"),
        ("/", "/", "/"), ("a//b", "a", "b"), ("//x", "/", "x"),
    ])
    func pathsSplitAsDirnameAndBasenameDo(path: String, parent: String, last: String) {
        #expect(FileIO.parentDirectory(path) == parent)
        #expect(FileIO.lastComponent(path) == last)
    }

    @Test func memoryReadTextIsMLGyms() {
        let text = MemoryReadText.render(query: "lr", matches: [(text: "use 3e-4", similarity: 0.8765), (text: "b", similarity: 0.125)])
        #expect(text == "Query: lr\nTop Matches:\n  Match 1: use 3e-4 | similarity score: 0.88\n  Match 2: b | similarity score: 0.12")
        #expect(MemoryReadText.render(query: "q", matches: []).hasSuffix("(no memories yet: write some with memory_write)"))
    }
}
