import Foundation
import Testing

@testable import MLGymACI

@Suite struct InsertCommandTests {
    @Test func insertAtZeroPutsTheTextFirst() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.txt", "one\ntwo\n")
        workspace.run(.open, "a.txt")
        let result = workspace.run(.insert, "0", input: "zero\n")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("a.txt") == "zero\none\ntwo\n")
        #expect(result.output.contains("File updated."))
    }

    @Test func insertAfterTheLastLineAppends() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.txt", "one\ntwo")
        workspace.run(.open, "a.txt")
        workspace.run(.insert, "2", input: "three\nfour\n")
        #expect(try workspace.read("a.txt") == "one\ntwo\nthree\nfour\n")
        workspace.run(.insert, "99", input: "five\n")
        #expect(try workspace.read("a.txt") == "one\ntwo\nthree\nfour\nfive\n")
    }

    @Test func insertInTheMiddleMovesTheViewerThere() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 40)
        workspace.run(.open, "f.txt")
        workspace.run(.insert, "20", input: "new\n")
        #expect(try workspace.read("f.txt").contains("line 20\nnew\nline 21\n"))
        #expect(workspace.state.currentLine == 21)
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "the lint check needs /usr/bin/python3"))
    func insertThatBreaksIndentationIsReverted() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let original = "import os\n\nprint(os.sep)\n"
        try workspace.write("a.py", original)
        workspace.run(.open, "a.py")
        let result = workspace.run(.insert, "1", input: "    x = 1\n")
        #expect(result.exitCode == 1)
        #expect(try workspace.read("a.py") == original)
        #expect(result.output.contains("- E999 "))
        #expect(result.output.contains("same insert command again"))
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "the lint check needs /usr/bin/python3"))
    func insertAboveAnExistingErrorIsAccepted() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.py", "x = 1\ndef broken(:\n    pass\n")
        workspace.run(.open, "a.py")
        // MLGym would not shift the old error and reject this; it moves from line 2 to line 3.
        let result = workspace.run(.insert, "1", input: "y = 2\n")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("a.py") == "x = 1\ny = 2\ndef broken(:\n    pass\n")
    }

    @Test func insertNeedsANumberAndText() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.txt", "one\n")
        workspace.run(.open, "a.txt")
        #expect(workspace.run(.insert, "first", input: "x\n").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.insert, input: "x\n").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.insert, "1", input: nil).exitCode == ACIToolResult.usageError)
        #expect(try workspace.read("a.txt") == "one\n")
    }
}
