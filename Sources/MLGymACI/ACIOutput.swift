/// The lines a command prints, collected so the command can return them as one ``ACIToolResult``.
struct ACIOutput {
    private(set) var lines: [String] = []

    /// Appends `text`, which may hold several lines; an empty string prints an empty line.
    mutating func print(_ text: String = "") {
        lines.append(text)
    }

    mutating func append(_ other: ACIOutput) {
        lines.append(contentsOf: other.lines)
    }

    /// The printed text, every line ending in a newline, as `echo` would have printed it.
    var text: String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    func result(_ exitCode: Int32 = ACIToolResult.success) -> ACIToolResult {
        ACIToolResult(output: text, exitCode: exitCode)
    }
}

/// Why a command stopped early: the lines to print and the exit code.
///
/// Thrown by the helpers commands share (finding the open file, parsing a line number) so that each command reads as
/// its happy path; ``ACITool`` turns it into the command's result.
struct ACIFailure: Error {
    var output: ACIOutput
    var exitCode: Int32

    /// A failure that prints `message` (one or more lines) and exits with ``ACIToolResult/failure``.
    static func error(_ message: String, after printed: ACIOutput = ACIOutput()) -> ACIFailure {
        var output = printed
        output.print(message)
        return ACIFailure(output: output, exitCode: ACIToolResult.failure)
    }

    /// A wrong call of `command`: its usage line, then `detail` if there is one, exit code 2.
    static func usage(_ command: ACICommand, _ detail: String? = nil) -> ACIFailure {
        var output = ACIOutput()
        output.print(command.usage)
        if let detail { output.print(detail) }
        return ACIFailure(output: output, exitCode: ACIToolResult.usageError)
    }

    /// The message every viewer and editor command prints when no file is open.
    static let noOpenFile = ACIFailure.error("No file open. Use the open command first.")
}
