import Testing

@testable import MLGymACI

@Suite struct ScrollCommandTests {
    @Test func scrollDownMovesByWindowLessOverlapAndBackUp() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        let down = workspace.run(.scroll_down)
        #expect(down.exitCode == 0)
        // 5 + (10 − 2) = 13: lines 9…18, so lines 9 and 10 are seen twice.
        #expect(workspace.state.currentLine == 13)
        #expect(down.output.contains("(8 more lines above)\n\(TemporaryWorkspace.body(9...18))\n(7 more lines below)"))
        workspace.run(.scroll_up)
        #expect(workspace.state.currentLine == 5)
    }

    @Test func scrollingStopsAtTheEnds() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        workspace.run(.scroll_down)
        workspace.run(.scroll_down)
        #expect(workspace.state.currentLine == 20)
        workspace.run(.scroll_down)
        #expect(workspace.state.currentLine == 20)
        workspace.run(.scroll_up)
        workspace.run(.scroll_up)
        workspace.run(.scroll_up)
        #expect(workspace.state.currentLine == 5)
    }

    @Test func thirdScrollInARowSuggestsSearching() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 100)
        workspace.run(.open, "f.txt")
        #expect(!workspace.run(.scroll_down).output.contains("WARNING"))
        #expect(!workspace.run(.scroll_down).output.contains("WARNING"))
        #expect(workspace.run(.scroll_down).output.contains("WARNING"))
    }

    @Test func anotherViewerCommandEndsTheRunOfScrolls() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 100)
        workspace.run(.open, "f.txt")
        workspace.run(.scroll_down)
        workspace.run(.scroll_down)
        workspace.run(.goto, "50")
        #expect(!workspace.run(.scroll_down).output.contains("WARNING"))
    }

    @Test func nonScrollLastActionEndsTheRunOfScrolls() throws {
        var workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 100)
        workspace.run(.open, "f.txt")
        workspace.lastAction = "ls -la"
        for _ in 0..<4 {
            #expect(!workspace.run(.scroll_down).output.contains("WARNING"))
        }
    }

    @Test func scrollNeedsAnOpenFileAndNoArguments() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        #expect(workspace.run(.scroll_down).exitCode == 1)
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        #expect(workspace.run(.scroll_up, "3").exitCode == ACIToolResult.usageError)
    }
}
