import MLGymToolSupport

/// One problem a Python checker reported: where, and the code with its message (`E999 SyntaxError: invalid syntax`).
///
/// The file name is not kept: before and after an edit the same file is checked (the "after" text in a scratch
/// copy), so errors are compared by position and message, as MLGym compares them within one file.
public struct LintError: Sendable, Hashable {
    public var line: Int
    public var column: Int
    /// The error code and text, printed to the agent as `- <message>`.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// Parses one line of flake8's default output, `path:line:col: CODE message`; nil for anything else.
    ///
    /// The path may itself hold `:` or `: `, so the separator is the first `": "` whose left side ends in
    /// `:<digits>:<digits>`.
    public static func parse(_ text: String) -> LintError? {
        let line = TextFormat.trimmed(text)
        var searchFrom = line.startIndex
        while let separator = line[searchFrom...].firstRange(of: ": ") {
            let position = line[..<separator.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            if position.count >= 3, let row = Int(position[position.count - 2]), let column = Int(position[position.count - 1]) {
                return LintError(line: row, column: column, message: String(line[separator.upperBound...]))
            }
            searchFrom = separator.upperBound
        }
        return nil
    }

    /// This error moved `lines` lines down (up when negative).
    func shifted(by lines: Int) -> LintError {
        LintError(line: line + lines, column: column, message: message)
    }
}
