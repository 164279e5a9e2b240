import Foundation

/// POSIX shell quoting, for commands shown to people and run in a shell (a session's, an sbatch script's).
public enum ShellQuote {
    /// `word` as one shell word: as it is when it is plain, else single-quoted.
    public static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
