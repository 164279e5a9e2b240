import Testing

@testable import MLGymACI

@Suite struct TextLinesTests {
    @Test func linesCountLikeAwk() {
        #expect(TextLines.split("a\nb\n") == ["a", "b"])
        #expect(TextLines.split("a\nb") == ["a", "b"])
        #expect(TextLines.split("") == [])
        #expect(TextLines.split("\n") == [""])
        #expect(TextLines.split("a\n\n") == ["a", ""])
    }

    @Test func carriageReturnsStayOnTheirLines() {
        let lines = TextLines.split("a\r\nb\r\n")
        #expect(lines.count == 2)
        #expect(lines.map { Array($0.utf8) } == [[97, 13], [98, 13]])
    }

    @Test func joinEndsEveryLineWithANewline() {
        #expect(TextLines.join(["a", "b"]) == "a\nb\n")
        #expect(TextLines.join([""]) == "\n")
        #expect(TextLines.join([]) == "")
    }
}
