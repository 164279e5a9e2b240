import Glibc

/// Decides whether a line matches a search term the way `grep` does: the term is a POSIX basic regular expression
/// (so `.` and `*` are special, `(` and `+` are not), compiled with the C library's `regcomp`, which is what grep
/// itself builds on. A term that is not a valid expression (say, an unbalanced `[`) is matched literally instead;
/// grep would only print an error, and a literal match is what the agent almost always meant.
///
/// Matching is on bytes, in the C locale, like grep run under `LANG=C`. A class, because it owns the compiled
/// expression; used by one command at a time.
final class LineMatcher {
    private let regex: UnsafeMutablePointer<regex_t>?
    private let literal: [UInt8]
    /// A reusable buffer for the NUL-terminated copy of a line that `regexec` needs.
    private var scratch: [CChar] = []

    init(term: String) {
        literal = Array(term.utf8)
        let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        if regcomp(compiled, term, REG_NOSUB) == 0 {
            regex = compiled
        } else {
            compiled.deallocate()
            regex = nil
        }
    }

    deinit {
        if let regex {
            regfree(regex)
            regex.deallocate()
        }
    }

    /// Whether the term occurs in `line` (the bytes of one line, without its `\n`).
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let regex else { return containsLiteral(line) }
        scratch.removeAll(keepingCapacity: true)
        for byte in line {
            if byte == 0 { break }  // a C string ends at NUL, as grep's line does for regexec
            scratch.append(CChar(bitPattern: byte))
        }
        scratch.append(0)
        return regexec(regex, scratch, 0, nil, 0) == 0
    }

    func matches(_ line: String) -> Bool {
        var copy = line
        return copy.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    private func containsLiteral(_ line: UnsafeRawBufferPointer) -> Bool {
        guard !literal.isEmpty else { return true }
        guard line.count >= literal.count else { return false }
        for start in 0...(line.count - literal.count) where line[start] == literal[0] {
            var index = 1
            while index < literal.count && line[start + index] == literal[index] { index += 1 }
            if index == literal.count { return true }
        }
        return false
    }
}
