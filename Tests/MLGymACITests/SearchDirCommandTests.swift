import Testing

@testable import MLGymACI

@Suite struct SearchDirCommandTests {
    @Test func listsMatchingFilesWithTheirLineCounts() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("train.py", "lr = 0.1\nprint(lr)\nepochs = 3\n")
        try workspace.write("src/model.py", "def forward(lr):\n    pass\n")
        try workspace.write("README.md", "nothing here\n")
        let result = workspace.run(.search_dir, "lr")
        #expect(result.exitCode == 0)
        #expect(
            result.output == """
                Found 3 matches for "lr" in \(workspace.root):
                \(workspace.path("src/model.py")) (1 matches)
                \(workspace.path("train.py")) (2 matches)
                End of matches for "lr" in \(workspace.root)

                """)
    }

    @Test func skipsHiddenPathsAndBinaryFiles() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("notes.txt", "needle\n")
        try workspace.write(".git/config", "needle\n")
        try workspace.write("data/.cache/x.txt", "needle\n")
        try workspace.write("data/.hidden.txt", "needle\n")
        try workspace.write("data/weights.bin", bytes: Array("needle".utf8) + [0, 1, 2])
        let result = workspace.run(.search_dir, "needle")
        #expect(result.output.hasPrefix("Found 1 matches for \"needle\""))
        #expect(result.output.contains(workspace.path("notes.txt")))
        #expect(!result.output.contains(".git"))
        #expect(!result.output.contains(".cache"))
        #expect(!result.output.contains(".hidden"))
        #expect(!result.output.contains("weights.bin"))
    }

    @Test func searchesTheGivenDirectoryEvenIfItIsHidden() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write(".config/app.txt", "needle\n")
        let result = workspace.run(.search_dir, "needle", ".config")
        #expect(result.output.hasPrefix("Found 1 matches for \"needle\" in \(workspace.path(".config")):"))
    }

    @Test func noMatchIsReportedPlainly() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a.txt", "hay\n")
        let result = workspace.run(.search_dir, "needle")
        #expect(result.exitCode == 0)
        #expect(result.output == "No matches found for \"needle\" in \(workspace.root)\n")
    }

    @Test func moreThanAHundredFilesAsksForANarrowerSearch() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        for index in 0..<101 { try workspace.write("many/f\(index).txt", "needle\n") }
        let result = workspace.run(.search_dir, "needle", "many")
        #expect(result.output.hasPrefix("More than 100 files matched"))
        #expect(result.output.contains("narrow your search"))
        for index in 0..<100 { try workspace.write("hundred/f\(index).txt", "needle\n") }
        #expect(workspace.run(.search_dir, "needle", "hundred").output.hasPrefix("Found 100 matches"))
    }

    @Test func missingDirectoryAndMissingTermAreErrors() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let missing = workspace.run(.search_dir, "x", "nowhere")
        #expect(missing.exitCode == 1)
        #expect(missing.output.contains("nowhere not found"))
        #expect(workspace.run(.search_dir).exitCode == ACIToolResult.usageError)
        #expect(workspace.run(.search_dir, "").exitCode == ACIToolResult.usageError)
    }
}
