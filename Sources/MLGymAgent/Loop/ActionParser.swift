/// Splits a model's reply into its thought and its one command, as MLGym's default parser does: exactly one
/// fenced block (three backticks at the start of a line, an optional language tag) holds the command, and the
/// text around it is the thought. No block, or more than one, is a format error.
public enum ActionParser {
    public struct Parsed: Sendable, Equatable {
        public var thought: String
        public var action: String
    }

    public enum FormatError: Error, Sendable, Equatable {
        case noCommand
        case severalCommands(Int)
        case emptyCommand
    }

    public static func parse(_ reply: String) throws(FormatError) -> Parsed {
        let lines = reply.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Top-level blocks only: inside a block, a fence with a language tag opens a nested one (a command that
        // writes a Markdown file) and a bare fence closes the innermost.
        var blocks: [(open: Int, close: Int)] = []
        var open: [Int] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingTrailingWhitespace
            guard trimmed.hasPrefix("```") else { continue }
            let tag = trimmed.dropFirst(3)
            guard tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "+" }) else { continue }
            if tag.isEmpty, let innermost = open.popLast() {
                if open.isEmpty { blocks.append((innermost, index)) }
            } else {
                open.append(index)
            }
        }
        guard let block = blocks.last else { throw .noCommand }
        guard blocks.count == 1 else { throw .severalCommands(blocks.count) }
        let action = lines[(block.open + 1)..<block.close].joined(separator: "\n")
        guard !action.allSatisfy(\.isWhitespace) else { throw .emptyCommand }
        let thought = (lines[..<block.open] + lines[(block.close + 1)...]).joined(separator: "\n")
        return Parsed(thought: thought.trimmingWhitespace, action: action.trimmingTrailingWhitespaceLines)
    }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }

    var trimmingTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }

    /// Drops blank lines at the end (a newline before the closing fence is not part of the command).
    var trimmingTrailingWhitespaceLines: String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
