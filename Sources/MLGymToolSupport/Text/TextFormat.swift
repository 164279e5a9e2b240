import Glibc

/// Small text helpers that Foundation would otherwise provide.
public enum TextFormat {
    /// `text` without leading and trailing whitespace (spaces, tabs, newlines and other Unicode white space).
    public static func trimmed(_ text: some StringProtocol) -> String {
        trimmed(text) { $0.isWhitespace }
    }

    /// `text` without leading and trailing characters for which `isTrimmed` holds.
    public static func trimmed(_ text: some StringProtocol, where isTrimmed: (Character) -> Bool) -> String {
        guard let first = text.firstIndex(where: { !isTrimmed($0) }), let last = text.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// `value` with `digits` digits after the point, rounded as C's `printf("%.*f")` rounds (so `0.125` gives
    /// `0.12`, as Python and MLGym print it).
    public static func fixed(_ value: Double, digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withVaList([Int32(digits), value]) { arguments in
            vsnprintf(&buffer, buffer.count, "%.*f", arguments)
        }
        guard written >= 0, written < buffer.count else { return String(value) }
        return String(cString: buffer)
    }
}
