/// Splitting text into lines and joining it back, the way MLGym's shell tools count lines.
///
/// A line ends at `\n`; a last line without one still counts (as `awk 'END {print NR}'` counts it), and nothing
/// follows a final `\n`. Splitting is on the byte 0x0A, not on Swift characters, because Swift treats `\r\n` as a
/// single character and would otherwise keep CRLF files in one piece; a `\r` stays at the end of its line.
enum TextLines {
    /// The lines of `bytes`, decoded as UTF-8 with invalid bytes replaced (good enough for showing a file).
    static func split(_ bytes: some Collection<UInt8>) -> [String] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// The lines of `text`.
    static func split(_ text: String) -> [String] {
        split(Array(text.utf8))
    }

    /// The file text of `lines`: each line followed by `\n`, as MLGym's editor writes files (`printf "%s\n"`).
    /// No lines gives an empty file.
    static func join(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
