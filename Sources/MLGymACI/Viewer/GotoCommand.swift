/// `goto <line_number>`: moves the window of the open file so that the line shows near its top.
enum GotoCommand {
    static func run(_ arguments: [String], context: inout ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard arguments.count <= 1 else { throw .usage(.goto, "Error: goto takes one line number at a time.") }
        let file = try context.openFile()
        guard let given = arguments.first, !given.isEmpty else { throw .usage(.goto) }
        guard let target = LineNumber.parse(given) else { throw .usage(.goto, "Error: <line_number> must be a number") }
        guard target <= file.lines.count else {
            throw .error("Error: <line> must be less than or equal to \(file.lines.count)")
        }
        var output = ACIOutput()
        let code = context.show(file, at: file.window(context.window).centred(on: target), into: &output)
        return output.result(code)
    }
}
