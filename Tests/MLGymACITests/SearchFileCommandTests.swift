import Testing

@testable import MLGymACI

@Suite struct SearchFileCommandTests {
    @Test func listsMatchingLinesWithNumbers() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("train.py", "import torch\nlr = 0.1\nopt = SGD(lr=lr)\n")
        let result = workspace.run(.search_file, "lr", "train.py")
        #expect(result.exitCode == 0)
        #expect(
            result.output == """
                Found 2 matches for "lr" in \(workspace.path("train.py")):
                Line 2:lr = 0.1
                Line 3:opt = SGD(lr=lr)
                End of matches for "lr" in \(workspace.path("train.py"))

                """)
    }

    @Test func searchesTheOpenFileByDefault() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        #expect(workspace.run(.search_file, "lr").output.contains("No file open"))
        try workspace.writeNumberedLines("f.txt", count: 25)
        workspace.run(.open, "f.txt")
        let result = workspace.run(.search_file, "line 2")
        // line 2 and lines 20…25.
        #expect(result.output.hasPrefix("Found 7 matches for \"line 2\" in \(workspace.path("f.txt")):\nLine 2:line 2\nLine 20:"))
        #expect(workspace.run(.search_file, "absent").output == "No matches found for \"absent\" in \(workspace.path("f.txt"))\n")
    }

    @Test func moreThanAHundredLinesAsksForANarrowerSearch() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 101)
        #expect(workspace.run(.search_file, "line", "f.txt").output.hasPrefix("More than 100 lines matched"))
        #expect(workspace.run(.search_file, "line 1", "f.txt").output.hasPrefix("Found 13 matches"))
    }

    @Test func missingFileIsAnError() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let result = workspace.run(.search_file, "x", "nope.py")
        #expect(result.exitCode == 1)
        #expect(result.output.contains("nope.py not found"))
    }
}
