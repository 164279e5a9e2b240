import Glibc

/// Line-by-line matching over a file's bytes, shared by `search_dir` and `search_file`.
enum TextSearch {
    /// Whether `bytes` look binary: they contain a NUL byte, which is how grep's `-I` tells (in the C locale).
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return false }
            return memchr(base, 0, raw.count) != nil
        }
    }

    /// The 1-based numbers of the lines of `bytes` that `matcher` matches. Lines end at `\n`; a last line without
    /// one counts, and nothing follows a final `\n`.
    static func matchingLineNumbers(in bytes: [UInt8], matcher: LineMatcher) -> [Int] {
        bytes.withUnsafeBytes { raw -> [Int] in
            var numbers: [Int] = []
            var lineStart = 0
            var lineNumber = 1
            while lineStart < raw.count {
                let rest = UnsafeRawBufferPointer(rebasing: raw[lineStart...])
                let newline = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.count
                if matcher.matches(UnsafeRawBufferPointer(rebasing: rest[..<newline])) {
                    numbers.append(lineNumber)
                }
                lineStart += newline + 1
                lineNumber += 1
            }
            return numbers
        }
    }
}
