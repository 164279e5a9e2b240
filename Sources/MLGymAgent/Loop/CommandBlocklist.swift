import Foundation

/// Commands an agent may not run because they wait for a person and would hang until the time-out. MLGym meant
/// to refuse these but compared only the first character, so its list never fired; this one does, and looks
/// only at what the shell runs as commands: not at quoted text, here-document bodies or an edit's new text.
public struct CommandBlocklist: Sendable, Equatable {
    /// Refused as the first word of a command, with any arguments (interactive editors, background jobs).
    public var anywhere: Set<String>
    /// Refused only when they are the whole action (an interpreter or shell with no script waits for input).
    public var standalone: Set<String>

    public init(anywhere: Set<String>, standalone: Set<String>) {
        self.anywhere = anywhere
        self.standalone = standalone
    }

    /// MLGym's default lists (git is on it: the workspace is not a repository, and history must not leak),
    /// with pagers and full-screen monitors added.
    public static let `default` = CommandBlocklist(
        anywhere: ["vim", "vi", "emacs", "nano", "nohup", "git", "less", "more", "top", "htop", "watch"],
        standalone: ["python", "python3", "ipython", "bash", "sh", "exit", "/bin/bash", "/bin/sh", "su", "cat", "node", "irb"])

    /// Words that may come before a command's name.
    private static let prefixes: Set<String> = ["then", "do", "else", "elif", "if", "while", "until", "!", "time", "{", "}"]

    /// The refused program, or nil when the action may run. `terminators` are the multi-line commands whose
    /// following lines are text (`edit` … `end_of_edit`).
    public func refusal(for action: String, terminators: [String: String] = [:]) -> String? {
        let trimmed = action.trimmingWhitespace
        if standalone.contains(trimmed) { return trimmed }
        for line in Self.commandLines(of: trimmed, terminators: terminators) {
            for piece in Self.simpleCommands(in: line) {
                let words = piece.split(whereSeparator: \.isWhitespace).map(String.init)
                guard let program = words.first(where: { !Self.prefixes.contains($0) }) else { continue }
                if anywhere.contains(program) { return program }
            }
        }
        return nil
    }

    /// The lines the shell reads as commands: here-document bodies and an edit's text are data.
    static func commandLines(of action: String, terminators: [String: String]) -> [String] {
        var result: [String] = []
        var dataUntil: String?
        for line in action.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let end = dataUntil {
                if line.trimmingWhitespace == end { dataUntil = nil }
                continue
            }
            result.append(line)
            if let first = line.split(whereSeparator: \.isWhitespace).first, let terminator = terminators[String(first)] {
                dataUntil = terminator
            } else if let delimiter = heredocDelimiter(in: line) {
                dataUntil = delimiter
            }
        }
        return result
    }

    /// The delimiter of a here-document the line starts (`<< 'EOF'`, `<<-EOF`), not of a here-string (`<<<`).
    static func heredocDelimiter(in line: String) -> String? {
        guard let range = line.range(of: "<<") else { return nil }
        var rest = line[range.upperBound...]
        guard !rest.hasPrefix("<") else { return nil }
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        let word = rest.prefix { !$0.isWhitespace && !";|&)".contains($0) }
        let delimiter = word.filter { $0 != "'" && $0 != "\"" && $0 != "\\" }
        return delimiter.isEmpty ? nil : String(delimiter)
    }

    /// The simple commands of one line: split at `;`, `|`, `&`, parentheses and backquotes outside quotes.
    static func simpleCommands(in line: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                escaped = false
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "\\" {
                escaped = true
            } else if character == "'" || character == "\"" {
                quote = character
            } else if ";|&()`".contains(character) {
                pieces.append(current)
                current = ""
                continue
            }
            // Quoted text is kept as one opaque word: what is inside is an argument, not a command.
            current.append(quote != nil && character != quote ? "_" : character)
        }
        pieces.append(current)
        return pieces
    }
}
