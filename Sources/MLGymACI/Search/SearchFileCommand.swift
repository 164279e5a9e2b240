/// `search_file <search_term> [<file>]`: the lines of a file (the open file by default) that contain the term,
/// numbered, so the agent can `goto` one.
enum SearchFileCommand {
    /// More matching lines than this and the command asks for a narrower search instead (MLGym's limit).
    static let lineLimit = 100

    static func run(_ arguments: [String], context: ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard (1...2).contains(arguments.count), !arguments[0].isEmpty else { throw .usage(.search_file) }
        let term = arguments[0]
        let file: String
        if arguments.count == 2 {
            let path = context.environment.absolute(arguments[1])
            guard FileSystem.kind(path) == .regular else {
                throw .error("Error: File \(arguments[1]) not found. Give the name of an existing file.")
            }
            file = FileSystem.realPath(path) ?? path
        } else {
            guard let open = context.state.openFile else { throw ACIFailure.noOpenFile }
            file = open
        }

        let bytes = try FileSystem.read(file)
        let numbers = TextSearch.matchingLineNumbers(in: bytes, matcher: LineMatcher(term: term))
        var output = ACIOutput()
        guard !numbers.isEmpty else {
            output.print("No matches found for \"\(term)\" in \(file)")
            return output.result()
        }
        guard numbers.count <= lineLimit else {
            output.print(
                "More than \(lineLimit) lines matched for \"\(term)\" in \(file) (\(numbers.count) lines). "
                    + "Please narrow your search.")
            return output.result()
        }
        let lines = TextLines.split(bytes)
        output.print("Found \(numbers.count) matches for \"\(term)\" in \(file):")
        for number in numbers { output.print("Line \(number):\(lines[number - 1])") }
        output.print("End of matches for \"\(term)\" in \(file)")
        return output.result()
    }
}
