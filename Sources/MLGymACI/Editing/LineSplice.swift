/// One edit of a file's lines, as `edit` and `insert` make it: remove `removedCount` lines starting at `firstLine`
/// and put `replacement` in their place. Pure.
///
/// Also holds where MLGym puts the viewer afterwards, so the numbers are tested next to the change itself.
struct LineSplice: Equatable {
    enum Kind {
        case edit, insert

        /// The noun used in messages.
        var noun: String { self == .edit ? "edit" : "insertion" }
        var command: ACICommand { self == .edit ? .edit : .insert }
    }

    let kind: Kind
    /// The 1-based line where the change starts; `T + 1` appends.
    let firstLine: Int
    let removedCount: Int
    let replacement: [String]

    /// `edit <start>:<end>` on a file of `totalLines` lines (1-based, inclusive; `start >= 1`, `end >= start`).
    ///
    /// As in MLGym, a range reaching past the end replaces up to the end, and a start past the end appends.
    static func edit(start: Int, end: Int, replacement: [String], totalLines: Int) -> LineSplice {
        let first = min(start, totalLines + 1)
        let last = min(end, totalLines)
        return LineSplice(kind: .edit, firstLine: first, removedCount: max(0, last - first + 1), replacement: replacement)
    }

    /// `insert <after>`: the lines go after line `after` (0 = at the top; past the end appends).
    static func insert(after: Int, replacement: [String], totalLines: Int) -> LineSplice {
        LineSplice(kind: .insert, firstLine: min(after, totalLines) + 1, removedCount: 0, replacement: replacement)
    }

    /// `lines` with the change made.
    func apply(to lines: [String]) -> [String] {
        let start = firstLine - 1
        return Array(lines[..<start]) + replacement + Array(lines[(start + removedCount)...])
    }

    /// Where the viewer's current line goes after the change is made (before constraining): MLGym puts an edit's
    /// start line minus one and an insertion's first new line there.
    var currentLineAfterSuccess: Int {
        kind == .edit ? firstLine - 1 : firstLine
    }

    /// The small window showing the changed lines in the rejected text: the new lines plus five on each side.
    var proposedView: (currentLine: Int, window: Int) {
        (firstLine - 1 + replacement.count / 2, replacement.count + 10)
    }

    /// The small window showing the lines the change would have replaced, plus five on each side.
    var originalView: (currentLine: Int, window: Int) {
        (firstLine - 1 + (removedCount + 1) / 2, removedCount + 10)
    }
}
