/// `edit <start_line>:<end_line>` with the new lines on standard input: replaces lines start…end (1-based,
/// inclusive) of the open file. The new text may have any number of lines, none included (that deletes).
///
/// Unlike MLGym, a start of 0 and an end before the start are refused: MLGym's array slicing turns them into
/// silently duplicated or misplaced lines.
enum EditCommand {
    static func run(_ arguments: [String], standardInput: String?, context: inout ACIContext) throws(ACIFailure)
        -> ACIToolResult
    {
        let file = try context.openFile()
        guard arguments.count == 1 else { throw .usage(.edit) }
        let bounds = arguments[0].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard bounds.count == 2, !bounds[0].isEmpty, !bounds[1].isEmpty else { throw .usage(.edit) }
        guard let start = LineNumber.parse(bounds[0]) else { throw .usage(.edit, "Error: start_line must be a number") }
        guard let end = LineNumber.parse(bounds[1]) else { throw .usage(.edit, "Error: end_line must be a number") }
        guard let standardInput else {
            throw .usage(.edit, "Error: the replacement text is missing; end it with a line holding only end_of_edit.")
        }
        guard start >= 1 else { throw .error("Error: start_line must be at least 1 (lines are numbered from 1).") }
        guard end >= start else {
            throw .error("Error: end_line (\(end)) is before start_line (\(start)). To add lines without replacing any, use insert.")
        }
        let original = try FileEditor.loadEditable(file.path)
        let splice = LineSplice.edit(
            start: start, end: end, replacement: TextLines.split(standardInput), totalLines: original.count)
        return try FileEditor.apply(splice, path: file.path, original: original, context: &context)
    }
}
