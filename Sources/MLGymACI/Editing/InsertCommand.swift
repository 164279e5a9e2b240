/// `insert <line_number>` with the new lines on standard input: adds them after that line of the open file
/// (0 puts them at the top; a number past the end appends).
enum InsertCommand {
    static func run(_ arguments: [String], standardInput: String?, context: inout ACIContext) throws(ACIFailure)
        -> ACIToolResult
    {
        let file = try context.openFile()
        guard arguments.count == 1, !arguments[0].isEmpty else { throw .usage(.insert) }
        guard let after = LineNumber.parse(arguments[0]) else {
            throw .usage(.insert, "Error: line_number must be a number")
        }
        guard let standardInput else {
            throw .usage(.insert, "Error: the text to insert is missing; end it with a line holding only end_of_insert.")
        }
        let original = try FileEditor.loadEditable(file.path)
        let splice = LineSplice.insert(after: after, replacement: TextLines.split(standardInput), totalLines: original.count)
        return try FileEditor.apply(splice, path: file.path, original: original, context: &context)
    }
}
