/// The kinds of agent action MLGym's action analysis counts, told apart by the command an action starts with: the
/// file tools (Edit, View, Search), the task's own commands (Validate, Submit), training and evaluation scripts
/// (Python) and every other shell command (Bash).
public enum ActionKind: String, Sendable, Codable, CaseIterable {
    case edit = "Edit"
    case view = "View"
    case validate = "Validate"
    case submit = "Submit"
    case search = "Search"
    case python = "Python"
    case bash = "Bash"

    /// The kind of `action`, by its first word. MLGym matches string prefixes, so it also counts, say, "editor" as
    /// Edit; matching the whole word keeps such commands in Bash. Any "python…" interpreter counts as Python.
    public init(action: String) {
        let command = action.split(maxSplits: 1, whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        switch command {
        case "create", "edit", "insert": self = .edit
        case "open", "goto", "scroll_up", "scroll_down": self = .view
        case "validate": self = .validate
        case "submit": self = .submit
        case "search_dir", "search_file", "find_file": self = .search
        case "torchrun", "accelerate", "deepspeed": self = .python
        default: self = command.hasPrefix("python") ? .python : .bash
        }
    }
}
