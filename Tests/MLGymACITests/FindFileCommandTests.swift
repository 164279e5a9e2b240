import Testing

@testable import MLGymACI

@Suite struct FindFileCommandTests {
    @Test func findsFilesWhoseNamesMatchTheGlob() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("train.py", "")
        try workspace.write("src/model.py", "")
        try workspace.write("src/model.pyc", "")
        try workspace.write("notes.txt", "")
        let result = workspace.run(.find_file, "*.py")
        #expect(result.exitCode == 0)
        #expect(
            result.output == """
                Found 2 matches for "*.py" in \(workspace.root):
                \(workspace.path("src/model.py"))
                \(workspace.path("train.py"))

                """)
    }

    @Test func exactNameAndSubdirectory() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("a/config.yaml", "")
        try workspace.write("b/config.yaml", "")
        let result = workspace.run(.find_file, "config.yaml", "b")
        #expect(result.output == "Found 1 matches for \"config.yaml\" in \(workspace.path("b")):\n\(workspace.path("b/config.yaml"))\n")
    }

    @Test func hiddenFilesAreFoundButListedLast() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write(".venv/lib/site.py", "")
        try workspace.write("zeta.py", "")
        let lines = workspace.run(.find_file, "*.py").output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[1] == workspace.path("zeta.py"))
        #expect(lines[2] == workspace.path(".venv/lib/site.py"))
    }

    @Test func moreThanAHundredMatchesAreCutWithACount() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        for index in 0..<105 { try workspace.write("data/f\(index).csv", "") }
        let lines = workspace.run(.find_file, "*.csv").output.split(separator: "\n").map(String.init)
        #expect(lines.first == "Found 105 matches for \"*.csv\" in \(workspace.root):")
        #expect(lines.count == 1 + 100 + 1)
        #expect(lines.last?.hasPrefix("...and 5 more") == true)
    }

    @Test func noMatchAndMissingDirectory() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        #expect(workspace.run(.find_file, "*.rs").output == "No matches found for \"*.rs\" in \(workspace.root)\n")
        #expect(workspace.run(.find_file, "*.rs", "nowhere").exitCode == 1)
        #expect(workspace.run(.find_file).exitCode == ACIToolResult.usageError)
    }
}
