import Glibc
import MLGymToolSupport

/// Makes an `edit` or `insert` change to the open file, guarded by the Python check, and reports it.
///
/// MLGym's flow, with one safety change: MLGym writes the edited text into the file, lints it, and copies a backup
/// back if the lint finds new errors, so an interrupted command can leave a broken file behind. Here the edited
/// text is checked in a scratch copy first and the file is written only once the change is accepted; a rejected
/// change leaves the file byte-for-byte as it was.
enum FileEditor {
    /// The lines of the file at `path`, refusing files that are not UTF-8 text (rewriting them would corrupt them).
    static func loadEditable(_ path: String) throws(ACIFailure) -> [String] {
        guard let text = String(validating: try FileSystem.read(path), as: UTF8.self) else {
            throw .error("Error: \(path) is not UTF-8 text, so it cannot be edited with this command.")
        }
        return TextLines.split(text)
    }

    static func apply(_ splice: LineSplice, path: String, original: [String], context: inout ACIContext)
        throws(ACIFailure) -> ACIToolResult
    {
        guard FileSystem.isWritable(path) else {
            throw .error("Error: You cannot edit read-only file \(path)")
        }
        let edited = splice.apply(to: original)
        var notes = ACIOutput()
        if path.hasSuffix(".py") {
            let checker = PythonChecker.detect(interpreter: context.environment.python)
            if checker.kind == .none {
                notes.print(
                    "Note: no Python interpreter (\(context.environment.python)) could be run, so this \(splice.kind.noun) "
                        + "was not checked for errors.")
            } else {
                let introduced = try newErrors(splice, path: path, edited: edited, checker: checker, context: context)
                if !introduced.isEmpty {
                    return rejection(splice, path: path, original: original, edited: edited, errors: introduced)
                }
            }
        }

        try FileSystem.overwrite(path, with: TextLines.join(edited))
        EditDiff.record(EditDiff.render(splice, path: path, original: original), in: context)
        var output = ACIOutput()
        let viewer = ViewerWindow(size: context.window, totalLines: edited.count)
        let file = ViewedFile(path: path, lines: edited, byteCount: TextLines.join(edited).utf8.count)
        let code = context.show(file, at: viewer.constrained(splice.currentLineAfterSuccess), into: &output)
        output.print(
            "File updated. Review the change above: check the indentation and that no lines were lost or duplicated, "
                + "and edit again if something is off.")
        output.append(notes)
        return output.result(code)
    }

    /// The errors `checker` finds in `edited` that the file at `path` did not already have.
    private static func newErrors(
        _ splice: LineSplice, path: String, edited: [String], checker: PythonChecker, context: ACIContext
    ) throws(ACIFailure) -> [LintError] {
        let before = checker.check(path)
        let scratchDirectory = "\(context.environment.stateDirectory)/check-\(getpid())"
        let scratch = "\(scratchDirectory)/\(FileIO.lastComponent(path))"
        do {
            try context.store.ensureDirectory()
            FileIO.removeTree(scratchDirectory)
            try FileIO.makeDirectories(scratchDirectory)
        } catch {
            throw .error("Error: cannot prepare the Python check in \(scratchDirectory): \(error)")
        }
        defer { FileIO.removeTree(scratchDirectory) }
        try FileSystem.createNew(scratch, with: TextLines.join(edited))
        let after = checker.check(scratch)
        return LintFilter.newErrors(
            after: after, before: before, firstLine: splice.firstLine, removedCount: splice.removedCount,
            insertedCount: splice.replacement.count)
    }

    /// The report of a change refused for introducing `errors`: the errors, how the changed lines would have looked,
    /// the lines as they still are, and advice not to send the same command again.
    private static func rejection(
        _ splice: LineSplice, path: String, original: [String], edited: [String], errors: [LintError]
    ) -> ACIToolResult {
        let noun = splice.kind.noun
        let rule = String(repeating: "-", count: 49)
        var output = ACIOutput()
        output.print("Your \(noun) was not applied: it introduces new errors into the Python file.")
        output.print()
        output.print("ERRORS:")
        for error in errors { output.print("- \(error.message)") }
        output.print()
        output.print("How the \(noun) would have looked:")
        output.print(rule)
        output.print(smallWindow(path: path, lines: edited, view: splice.proposedView))
        output.print(rule)
        output.print()
        output.print("The original code, which is still in the file:")
        output.print(rule)
        output.print(smallWindow(path: path, lines: original, view: splice.originalView))
        output.print(rule)
        let what = splice.kind == .edit ? "start and end lines" : "line number"
        output.print("The file is unchanged. Fix the \(what) or the new text and try again;")
        output.print("sending the same \(splice.kind.command.rawValue) command again gives the same errors.")
        return output.result(ACIToolResult.failure)
    }

    private static func smallWindow(path: String, lines: [String], view: (currentLine: Int, window: Int)) -> String {
        let viewer = ViewerWindow(size: view.window, totalLines: lines.count)
        return ViewerWindow.render(path: path, lines: lines, currentLine: viewer.constrained(view.currentLine), window: view.window)
    }
}
