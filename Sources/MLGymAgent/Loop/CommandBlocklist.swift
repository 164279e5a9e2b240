/// Commands an agent may not run because they wait for a person and would hang until the time-out. MLGym meant
/// to refuse these but compared only the first character, so its list never fired; this one does.
public struct CommandBlocklist: Sendable, Equatable {
    /// Refused as the first word of a command, with any arguments (interactive editors, background jobs).
    public var anywhere: Set<String>
    /// Refused only when they are the whole command (an interpreter or shell with no script waits for input).
    public var standalone: Set<String>

    public init(anywhere: Set<String>, standalone: Set<String>) {
        self.anywhere = anywhere
        self.standalone = standalone
    }

    /// MLGym's default lists (git is on it: the workspace is not a repository, and history must not leak).
    public static let `default` = CommandBlocklist(
        anywhere: ["vim", "vi", "emacs", "nano", "nohup", "git", "less", "more", "top", "htop", "watch"],
        standalone: ["python", "python3", "ipython", "bash", "sh", "exit", "/bin/bash", "/bin/sh", "su", "cat", "node", "irb"])

    /// The refused program, or nil when the action may run.
    public func refusal(for action: String) -> String? {
        let trimmed = action.trimmingWhitespace
        if standalone.contains(trimmed) { return trimmed }
        for line in trimmed.split(separator: "\n") {
            // Every simple command of every line: `cd x && vim y` must not slip through.
            for piece in line.split(whereSeparator: { ";|&".contains($0) }) {
                guard let first = piece.split(separator: " ", omittingEmptySubsequences: true).first else { continue }
                let program = String(first)
                if anywhere.contains(program) { return program }
            }
        }
        return nil
    }
}
