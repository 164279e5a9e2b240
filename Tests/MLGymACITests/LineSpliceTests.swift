import Testing

@testable import MLGymACI

@Suite struct LineSpliceTests {
    let five = ["1", "2", "3", "4", "5"]

    @Test func editReplacesLinesStartToEndInclusive() {
        let splice = LineSplice.edit(start: 2, end: 3, replacement: ["a", "b", "c"], totalLines: 5)
        #expect(splice.firstLine == 2)
        #expect(splice.removedCount == 2)
        #expect(splice.apply(to: five) == ["1", "a", "b", "c", "4", "5"])
    }

    @Test func editPastTheEndReplacesUpToTheEndOrAppends() {
        let tail = LineSplice.edit(start: 4, end: 99, replacement: ["x"], totalLines: 5)
        #expect(tail.removedCount == 2)
        #expect(tail.apply(to: five) == ["1", "2", "3", "x"])
        let beyond = LineSplice.edit(start: 9, end: 9, replacement: ["x"], totalLines: 5)
        #expect(beyond.firstLine == 6)
        #expect(beyond.removedCount == 0)
        #expect(beyond.apply(to: five) == five + ["x"])
    }

    @Test func insertGoesAfterTheLine() {
        #expect(LineSplice.insert(after: 0, replacement: ["x"], totalLines: 5).apply(to: five) == ["x"] + five)
        #expect(LineSplice.insert(after: 2, replacement: ["x"], totalLines: 5).apply(to: five) == ["1", "2", "x", "3", "4", "5"])
        #expect(LineSplice.insert(after: 5, replacement: ["x"], totalLines: 5).apply(to: five) == five + ["x"])
        #expect(LineSplice.insert(after: 50, replacement: ["x"], totalLines: 5).apply(to: five) == five + ["x"])
    }

    @Test func viewerGoesWhereMLGymPutsIt() {
        // edit: CURRENT_LINE = start − 1; insert: CURRENT_LINE = line + 1.
        #expect(LineSplice.edit(start: 2, end: 3, replacement: [], totalLines: 5).currentLineAfterSuccess == 1)
        #expect(LineSplice.insert(after: 3, replacement: ["x"], totalLines: 5).currentLineAfterSuccess == 4)
    }

    @Test func rejectionWindowsFrameTheChangeWithFiveLinesEachSide() {
        // edit 2:3 with three lines: start0 = 1; proposed C = 3/2 + 1 = 2, W = 13; original C = 3/2 + 1 = 2, W = 12.
        let edit = LineSplice.edit(start: 2, end: 3, replacement: ["a", "b", "c"], totalLines: 5)
        #expect(edit.proposedView.currentLine == 2 && edit.proposedView.window == 13)
        #expect(edit.originalView.currentLine == 2 && edit.originalView.window == 12)
        // insert after 4 with two lines: proposed C = 4 + 1, W = 12; original C = 4, W = 10.
        let insert = LineSplice.insert(after: 4, replacement: ["a", "b"], totalLines: 5)
        #expect(insert.proposedView.currentLine == 5 && insert.proposedView.window == 12)
        #expect(insert.originalView.currentLine == 4 && insert.originalView.window == 10)
    }
}
