/// Text that someone else controls (an agent's output, a session's name, a run's campaign) made safe to print on
/// a person's terminal.
///
/// Why: a terminal obeys escape sequences in what it prints. An agent that prints `ESC ] 52 ; …` can set root's
/// clipboard, one that prints `ESC [ 2 J` can hide what came before, and U+202E (right-to-left override) makes a
/// line read differently from what it holds. Such characters are shown as visible escapes instead (`\e`,
/// `\x07`, `\u{202E}`), so a person sees that they were there and nothing acts on them. Line breaks and tabs stay.
public enum TerminalText {
    /// Whether `text` holds a character that a name must not: any control, format (bidirectional overrides,
    /// zero-width characters) or line/paragraph separator character.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { isUnsafe($0, keepingLayout: false) }
    }

    /// `text` with every unsafe character replaced by a visible escape; newlines and tabs are kept unless
    /// `keepingLayout` is false (for one-line cells such as a table's).
    public static func escaped(_ text: String, keepingLayout: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, keepingLayout: keepingLayout) }) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar, keepingLayout: keepingLayout) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: result += "\\e"
            case 0x0D: result += "\\r"
            case 0x0A: result += "\\n"
            case 0x09: result += "\\t"
            case 0..<0x100: result += "\\x" + hex(scalar.value, width: 2)
            default: result += "\\u{" + hex(scalar.value, width: 4) + "}"
            }
        }
        return result
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar, keepingLayout: Bool) -> Bool {
        if keepingLayout && (scalar == "\n" || scalar == "\t") { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
