/// Turns MLGym's multi-line commands into shell here-documents: `edit 3:5` followed by lines and a terminator
/// line `end_of_edit` becomes `edit 3:5 << 'end_of_edit'`, so the text reaches the command on its standard
/// input and the shell does not run it. The quoted delimiter keeps `$` and backticks in the text literal.
public enum HeredocGuard {
    public enum Problem: Error, Sendable, Equatable {
        /// `edit …` without its terminator line (MLGym: "Malformed edit command").
        case missingTerminator(command: String, terminator: String)
    }

    public static func guarded(_ action: String, terminators: [String: String]) throws(Problem) -> String {
        var lines = action.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let words = lines[index].split(separator: " ", omittingEmptySubsequences: true)
            if let name = words.first.map(String.init), let terminator = terminators[name] {
                guard let end = lines[(index + 1)...].firstIndex(where: { $0.trimmingTrailingWhitespace == terminator }) else {
                    throw .missingTerminator(command: name, terminator: terminator)
                }
                if !lines[index].contains("<<") {
                    lines[index] = lines[index].trimmingTrailingWhitespace + " << '\(terminator)'"
                }
                lines[end] = terminator
                index = end + 1
            } else {
                index += 1
            }
        }
        return lines.joined(separator: "\n")
    }
}
