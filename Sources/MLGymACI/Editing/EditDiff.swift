import Glibc
import MLGymToolSupport

/// The last accepted `edit` or `insert` as a unified diff, left in the state directory for mlgymd: after each step
/// of a run it reads and clears `last-edit.diff`, and the run's page shows the step's change to the file.
///
/// The splice already says which lines went and which came, so no diff algorithm is needed: one hunk, with three
/// lines of context on each side as `diff -u` gives. The diff is for people, not for `patch`: it is cut at
/// `byteLimit` (a whole-file rewrite of a large file would otherwise fill the run's store).
enum EditDiff {
    static let fileName = "last-edit.diff"
    static let context = 3
    static let byteLimit = 64 * 1024

    /// `splice` of the file at `path` (its lines before, `original`) as a unified diff.
    static func render(_ splice: LineSplice, path: String, original: [String]) -> String {
        let start = splice.firstLine - 1
        let before = max(0, start - context)
        let afterRemoved = start + splice.removedCount
        let after = min(original.count, afterRemoved + context)
        let oldCount = after - before
        let newCount = oldCount - splice.removedCount + splice.replacement.count
        var lines = ["--- a\(path)", "+++ b\(path)", "@@ -\(range(before, oldCount)) +\(range(before, newCount)) @@"]
        lines += original[before..<start].map { " " + $0 }
        lines += original[start..<afterRemoved].map { "-" + $0 }
        lines += splice.replacement.map { "+" + $0 }
        lines += original[afterRemoved..<after].map { " " + $0 }
        var text = lines.joined(separator: "\n") + "\n"
        if text.utf8.count > byteLimit {
            text = String(decoding: Array(text.utf8.prefix(byteLimit)), as: UTF8.self) + "\n… (diff cut at \(byteLimit / 1024) KiB)\n"
        }
        return text
    }

    /// `diff -u`'s range: the first line (1-based; the line before an empty range) and the count when not 1.
    private static func range(_ zeroBasedStart: Int, _ count: Int) -> String {
        let first = count == 0 ? zeroBasedStart : zeroBasedStart + 1
        return count == 1 ? "\(first)" : "\(first),\(count)"
    }

    /// Leaves the diff for mlgymd. Best effort: the edit is made whether or not this can be written.
    static func record(_ text: String, in context: ACIContext) {
        // The state directory is the agent's: if it cannot be written, the run's page shows no diff, nothing more.
        guard (try? context.store.ensureDirectory()) != nil else { return }
        let descriptor = open(context.environment.stateDirectory + "/" + fileName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        try? FileIO.writeAll(descriptor, Array(text.utf8))
    }
}
