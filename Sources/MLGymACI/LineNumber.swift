/// Line-number arguments as MLGym accepts them: decimal digits only (`^[0-9]+$`), so `-3`, `+3` and `3.0` are
/// rejected as not a number.
enum LineNumber {
    /// The number in `text`, nil when it is not all digits. A number too large for `Int` saturates to `Int.max`,
    /// which every command then treats as "past the end of the file".
    static func parse(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(text) ?? Int.max
    }
}
