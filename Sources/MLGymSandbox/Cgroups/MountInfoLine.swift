/// One line of `/proc/self/mountinfo`, reduced to what cgroup discovery needs.
///
/// Format (proc(5)): `id parent major:minor root mount-point options [optional fields...] - fstype source
/// super-options`. Paths escape space, tab, newline and backslash as octal (`\040`).
struct MountInfoLine: Sendable, Equatable {
    var root: String
    var mountPoint: String
    var fileSystemType: String
    var superOptions: [String]

    static func parse(_ text: String) -> [MountInfoLine] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 2 < fields.count else { return nil }
            return MountInfoLine(
                root: unescape(fields[3]), mountPoint: unescape(fields[4]), fileSystemType: fields[dash + 1],
                superOptions: fields.count > dash + 3 ? fields[dash + 3].split(separator: ",").map(String.init) : [])
        }
    }

    /// Decodes the kernel's `\ooo` escapes.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
               let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
