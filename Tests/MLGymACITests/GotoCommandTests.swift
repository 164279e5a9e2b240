import Foundation
import Testing

@testable import MLGymACI

@Suite struct GotoCommandTests {
    @Test func gotoNeedsAnOpenFile() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let result = workspace.run(.goto, "3")
        #expect(result.exitCode == 1)
        #expect(result.output.contains("No file open"))
    }

    @Test func gotoCentresTheLineAndRemembersIt() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        let result = workspace.run(.goto, "12")
        #expect(result.exitCode == 0)
        #expect(
            result.output == """
                [File: \(workspace.path("f.txt")) (25 lines total)]
                (11 more lines above)
                \(TemporaryWorkspace.body(12...21))
                (4 more lines below)

                """)
        #expect(workspace.state.currentLine == 16)
    }

    @Test func gotoPastTheEndIsAnError() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt", "12")
        let result = workspace.run(.goto, "26")
        #expect(result.exitCode == 1)
        #expect(result.output == "Error: <line> must be less than or equal to 25\n")
        #expect(workspace.state.currentLine == 16)
    }

    @Test func gotoTakesExactlyOneNumber() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        #expect(workspace.run(.goto, "1", "2").exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.goto).exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.goto, "-4").exitCode == ACIToolResult.usageError)
    }

    @Test func gotoOnAFileDeletedSinceOpeningSaysSo() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        try FileManager.default.removeItem(atPath: workspace.path("f.txt"))
        let result = workspace.run(.goto, "3")
        #expect(result.exitCode == 1)
        #expect(result.output.contains("no longer exists"))
    }
}
