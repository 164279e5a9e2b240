import Foundation
import Testing

@testable import MLGymACI

/// An applied edit or insertion leaves its change as a unified diff for mlgymd (the run's page shows it); a
/// rejected one leaves none.
@Suite struct EditDiffTests {
    @Test func anEditLeavesAUnifiedDiffWithThreeLinesOfContext() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.writeNumberedLines("f.txt", count: 10)
        workspace.run(.open, "f.txt")
        #expect(workspace.run(.edit, "5:6", input: "five\n").exitCode == 0)
        let diff = try String(contentsOfFile: workspace.stateDirectory + "/last-edit.diff", encoding: .utf8)
        let path = workspace.path("f.txt")
        #expect(diff == """
            --- a\(path)
            +++ b\(path)
            @@ -2,8 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            -line 6
            +five
             line 7
             line 8
             line 9

            """)
    }

    @Test func anInsertionAtTheTopAndAnEmptyFileGiveDiffRanges() throws {
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        try workspace.write("empty.txt", "")
        workspace.run(.open, "empty.txt")
        #expect(workspace.run(.insert, "0", input: "first\n").exitCode == 0)
        let diff = try String(contentsOfFile: workspace.stateDirectory + "/last-edit.diff", encoding: .utf8)
        // As `diff -u` writes it: an empty old range is "0,0".
        #expect(diff.contains("@@ -0,0 +1 @@\n+first\n"), "\(diff)")
    }

    @Test func aHugeRewriteIsCutAndSaysSo() {
        let original = (1...20_000).map { "old line \($0)" }
        let splice = LineSplice.edit(start: 1, end: 20_000, replacement: (1...20_000).map { "new line \($0)" }, totalLines: 20_000)
        let diff = EditDiff.render(splice, path: "/w/big.txt", original: original)
        #expect(diff.utf8.count < EditDiff.byteLimit + 100)
        #expect(diff.hasSuffix("… (diff cut at 64 KiB)\n"))
    }
}
