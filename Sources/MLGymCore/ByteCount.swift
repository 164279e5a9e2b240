/// Parsing and printing of byte sizes the way people write them on command lines ("512M", "8G", "1.5GiB").
public enum ByteCount {
    /// Parses `text` as a byte count: a number with an optional binary suffix (K, M, G, T; KiB and KB mean the same
    /// here, as in docker and systemd). Returns nil for anything else.
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingWhitespace().uppercased()
        guard !trimmed.isEmpty else { return nil }
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        var suffix = String(trimmed.dropFirst(digits.count))
        for tail in ["IB", "B"] where suffix.hasSuffix(tail) && suffix.count > tail.count - 1 {
            suffix = String(suffix.dropLast(tail.count))
            break
        }
        guard let value = Double(digits), value >= 0 else { return nil }
        let multiplier: Double
        switch suffix {
        case "": multiplier = 1
        case "K": multiplier = 1024
        case "M": multiplier = 1024 * 1024
        case "G": multiplier = 1024 * 1024 * 1024
        case "T": multiplier = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        let bytes = value * multiplier
        guard bytes < Double(UInt64.max) else { return nil }
        return UInt64(bytes.rounded())
    }

    /// Formats `bytes` with the largest binary unit that keeps at least one whole unit ("64M", "1.5G").
    public static func format(_ bytes: UInt64) -> String {
        let units: [(String, UInt64)] = [("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (name, size) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int(value))\(name)" : "\(((value * 10).rounded()) / 10)\(name)"
        }
        return "\(bytes)"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
