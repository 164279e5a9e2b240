import Foundation
import Testing

@testable import MLGymACI

@Suite struct OpenCommandTests {
    @Test func openWithoutLineShowsTheFirstWindow() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        let result = workspace.run(.open, "f.txt")
        #expect(result.exitCode == 0)
        #expect(
            result.output == """
                [File: \(workspace.path("f.txt")) (25 lines total)]
                \(TemporaryWorkspace.body(1...10))
                (15 more lines below)

                """)
        #expect(workspace.state == ViewerState(openFile: workspace.path("f.txt"), currentLine: 5))
    }

    @Test func openWithLineShowsItNearTheTop() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        let result = workspace.run(.open, "f.txt", "12")
        #expect(result.exitCode == 0)
        #expect(result.output.contains("(11 more lines above)\n12:line 12\n"))
        #expect(workspace.state.currentLine == 16)
    }

    @Test func lineNumberPastTheEndIsClampedWithAWarning() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        let result = workspace.run(.open, "f.txt", "40")
        #expect(result.exitCode == 0)
        #expect(result.output.hasPrefix("Warning: line 40"))
        #expect(result.output.hasSuffix("25:line 25\n"))
        #expect(workspace.state.currentLine == 20)
    }

    @Test func lineNumberZeroIsClampedToTheFirstLine() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 25)
        let result = workspace.run(.open, "f.txt", "0")
        #expect(result.exitCode == 0)
        #expect(result.output.hasPrefix("Warning: line 0"))
        #expect(result.output.contains("\n1:line 1\n"))
        #expect(workspace.state.currentLine == 5)
    }

    @Test func nonNumericLineIsAUsageError() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 3)
        let result = workspace.run(.open, "f.txt", "ten")
        #expect(result.exitCode == ACIToolResult.usageError)
        #expect(result.output.hasPrefix("Usage: open"))
        #expect(workspace.state.openFile == nil)
    }

    @Test func missingArgumentIsAUsageError() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let result = workspace.run(.open)
        #expect(result.exitCode == ACIToolResult.usageError)
        #expect(result.output == ACICommand.open.usage + "\n")
    }

    @Test func missingFileDirectoryAndImageAreRefused() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("plots/loss.png", "not really a png\n")
        let missing = workspace.run(.open, "nope.py")
        #expect(missing.exitCode == 1)
        #expect(missing.output.contains("nope.py not found"))
        let directory = workspace.run(.open, "plots")
        #expect(directory.exitCode == 1)
        #expect(directory.output.contains("is a directory"))
        let image = workspace.run(.open, "plots/loss.png")
        #expect(image.exitCode == 1)
        #expect(image.output.contains("image file"))
        #expect(workspace.state.openFile == nil)
    }

    @Test func largeFileIsRefusedOnlyWhenALineNumberIsGiven() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("big.csv", String(repeating: "0123456789\n", count: 2_000))  // 22,000 characters
        let withLine = workspace.run(.open, "big.csv", "5")
        #expect(withLine.exitCode == 1)
        #expect(withLine.output.contains("head -n"))
        let withoutLine = workspace.run(.open, "big.csv")
        #expect(withoutLine.exitCode == 0)
        #expect(withoutLine.output.hasPrefix("[File: \(workspace.path("big.csv")) (2000 lines total)]"))
    }

    @Test func openFileIsRecordedAsItsRealPath() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("src/model.py", count: 3)
        try FileManager.default.createSymbolicLink(atPath: workspace.path("link.py"), withDestinationPath: "src/model.py")
        let result = workspace.run(.open, "link.py")
        #expect(result.exitCode == 0)
        #expect(workspace.state.openFile == workspace.path("src/model.py"))
        #expect(result.output.hasPrefix("[File: \(workspace.path("src/model.py")) (3 lines total)]"))
        workspace.run(.open, "src/../src/model.py")
        #expect(workspace.state.openFile == workspace.path("src/model.py"))
    }

    @Test func fileWithoutFinalNewlineCountsItsLastLine() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("f.txt", "a\r\nb\r\nc")
        let result = workspace.run(.open, "f.txt")
        #expect(result.output == "[File: \(workspace.path("f.txt")) (3 lines total)]\n1:a\r\n2:b\r\n3:c\n")
    }
}
