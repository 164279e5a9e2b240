/// The agent-computer interface commands this module implements, named as the agent types them.
///
/// `mlgymctl` is a multi-call binary: invoked under one of these names inside a sandbox, it runs the command through
/// ``ACITool/run(_:arguments:standardInput:environment:)``. `validate` and `submit` are not here: they only print
/// markers the agent runner looks for, so they are documented in ``ACICommandDocs`` but run elsewhere.
public enum ACICommand: String, CaseIterable, Sendable {
    case open, goto, scroll_up, scroll_down, create, edit, insert, search_dir, search_file, find_file

    /// The command's usage line, printed when it is called with the wrong arguments.
    public var usage: String {
        switch self {
        case .open: "Usage: open \"<file>\" [<line_number>]"
        case .goto: "Usage: goto <line_number>"
        case .scroll_up: "Usage: scroll_up (takes no arguments)"
        case .scroll_down: "Usage: scroll_down (takes no arguments)"
        case .create: "Usage: create <filename>"
        case .edit: "Usage: edit <start_line>:<end_line>, then the new lines, then a line with only end_of_edit"
        case .insert: "Usage: insert <line_number>, then the new lines, then a line with only end_of_insert"
        case .search_dir: "Usage: search_dir <search_term> [<dir>]"
        case .search_file: "Usage: search_file <search_term> [<file>]"
        case .find_file: "Usage: find_file <file_name> [<dir>]"
        }
    }
}
