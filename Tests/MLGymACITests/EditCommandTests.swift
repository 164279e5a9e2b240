import Foundation
import Glibc
import Testing

@testable import MLGymACI

@Suite struct EditCommandTests {
    @Test func editReplacesTheInclusiveRangeWithAnyNumberOfLines() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("notes.txt", "one\ntwo\nthree\nfour\nfive\n")
        workspace.run(.open, "notes.txt")
        let result = workspace.run(.edit, "2:3", input: "TWO\nTHREE\nTHREE AND A HALF\n")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("notes.txt") == "one\nTWO\nTHREE\nTHREE AND A HALF\nfour\nfive\n")
        #expect(result.output.contains("4:THREE AND A HALF\n"))
        #expect(result.output.contains("File updated."))
    }

    @Test func editWithEmptyTextDeletesTheLines() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("notes.txt", "one\ntwo\nthree\n")
        workspace.run(.open, "notes.txt")
        #expect(workspace.run(.edit, "1:2", input: "").exitCode == 0)
        #expect(try workspace.read("notes.txt") == "three\n")
    }

    @Test func textWithoutFinalNewlineGivesTheSameLines() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("notes.txt", "one\ntwo\n")
        workspace.run(.open, "notes.txt")
        workspace.run(.edit, "2:2", input: "deux")
        #expect(try workspace.read("notes.txt") == "one\ndeux\n")
    }

    @Test func rangePastTheEndReplacesUpToTheEnd() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("notes.txt", "one\ntwo\nthree\n")
        workspace.run(.open, "notes.txt")
        workspace.run(.edit, "2:99", input: "end\n")
        #expect(try workspace.read("notes.txt") == "one\nend\n")
    }

    @Test func successfulEditMovesTheViewerToTheEditedLines() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 40)
        workspace.run(.open, "f.txt")
        let result = workspace.run(.edit, "30:30", input: "thirty\n")
        // MLGym sets the current line to start − 1 = 29 (within 5…35), so the window shows 25…34.
        #expect(workspace.state.currentLine == 29)
        #expect(result.output.contains("(24 more lines above)\n25:line 25\n"))
        #expect(result.output.contains("30:thirty\n"))
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "the lint check needs /usr/bin/python3"))
    func editThatBreaksPythonSyntaxIsRevertedAndExplained() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let original = "def f():\n    return 1\n\nprint(f())\n"
        try workspace.write("a.py", original)
        workspace.run(.open, "a.py")
        let result = workspace.run(.edit, "2:2", input: "    return (\n")
        #expect(result.exitCode == 1)
        #expect(try workspace.read("a.py") == original)
        #expect(result.output.contains("ERRORS:\n- E999 "))
        #expect(result.output.contains("2:    return (\n"), "shows how the edit would have looked")
        #expect(result.output.contains("2:    return 1\n"), "shows the original code")
        #expect(result.output.contains("same edit command again"))
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "the lint check needs /usr/bin/python3"))
    func errorAlreadyInTheFileDoesNotBlockAnEditElsewhere() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.py", "x = 1\n\ndef broken(:\n    pass\n")
        workspace.run(.open, "a.py")
        // Two lines for one: the old syntax error moves from line 3 to line 4 and is recognised as old.
        let result = workspace.run(.edit, "1:1", input: "x = 2\ny = 3\n")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("a.py") == "x = 2\ny = 3\n\ndef broken(:\n    pass\n")
    }

    @Test(.enabled(if: TemporaryWorkspace.hasPython, "the lint check needs /usr/bin/python3"))
    func validPythonEditIsApplied() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.py", "def f():\n    return 1\n")
        workspace.run(.open, "a.py")
        let result = workspace.run(.edit, "2:2", input: "    value = 2\n    return value\n")
        #expect(result.exitCode == 0)
        #expect(try workspace.read("a.py") == "def f():\n    value = 2\n    return value\n")
    }

    @Test func nonPythonFilesAreNotChecked() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("config.yaml", "a: 1\n")
        workspace.run(.open, "config.yaml")
        #expect(workspace.run(.edit, "1:1", input: "def (((\n").exitCode == 0)
        #expect(try workspace.read("config.yaml") == "def (((\n")
    }

    @Test func missingInterpreterSkipsTheCheckAndSaysSo() throws {
        var workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        workspace.python = "/nonexistent/python3"
        try workspace.write("a.py", "x = 1\n")
        workspace.run(.open, "a.py")
        let result = workspace.run(.edit, "1:1", input: "x = (\n")
        #expect(result.exitCode == 0)
        #expect(result.output.contains("not checked"))
        #expect(try workspace.read("a.py") == "x = (\n")
    }

    @Test func editKeepsTheFileMode() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("run.sh", "echo hi\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: workspace.path("run.sh"))
        workspace.run(.open, "run.sh")
        workspace.run(.edit, "1:1", input: "echo bye\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.path("run.sh"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o750)
    }

    @Test(.enabled(if: getuid() != 0, "root may write any file, so only a non-root run can see the refusal"))
    func readOnlyFileIsRefused() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("evaluate.py", "print(1)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: workspace.path("evaluate.py"))
        workspace.run(.open, "evaluate.py")
        let result = workspace.run(.edit, "1:1", input: "print(2)\n")
        #expect(result.exitCode == 1)
        #expect(result.output.contains("read-only"))
        #expect(try workspace.read("evaluate.py") == "print(1)\n")
    }

    @Test func editNeedsAnOpenFileARangeAndText() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        #expect(workspace.run(.edit, "1:1", input: "x\n").output.contains("No file open"))
        try workspace.write("notes.txt", "one\ntwo\n")
        workspace.run(.open, "notes.txt")
        #expect(workspace.run(.edit, "1", input: "x\n").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.edit, "1 2", input: "x\n").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.edit, "a:2", input: "x\n").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.edit, "1:2", input: nil).exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.edit, "0:1", input: "x\n").exitCode == 1)
        #expect(workspace.run(.edit, "2:1", input: "x\n").exitCode == 1)
        #expect(try workspace.read("notes.txt") == "one\ntwo\n")
    }
}
