import CSandbox
import Glibc

/// One file, directory, symbolic link or FIFO of a snapshot's tree, with what is needed to make it again.
///
/// A snapshot's regular files share their inodes with identical files of other snapshots (hard links into the
/// content-addressed store), so an inode cannot carry each file's own mode, owner and time: the index does.
struct TreeEntry: Equatable, Sendable {
    enum Kind: String, Sendable { case directory = "d", file = "f", symlink = "l", fifo = "p" }

    var kind: Kind
    /// Relative to the layer's root, no leading slash; "" for the root itself.
    var path: String
    var mode: UInt32
    var uid: UInt32
    var gid: UInt32
    var modifiedNanoseconds: Int64
    var size: Int64
    /// The source's inode and change time when it was captured: a file whose inode, size and times are
    /// unchanged at the next capture is not read again.
    var sourceInode: UInt64
    var sourceChangedNanoseconds: Int64
    /// The store object a regular file's content is (a SHA-256 in hex), or "" for a reflinked copy.
    var object: String
    /// A symbolic link's target.
    var target: String

    init(kind: Kind, path: String, info: stat, object: String = "", target: String = "") {
        self.kind = kind
        self.path = path
        mode = UInt32(info.st_mode & 0o7777)
        uid = info.st_uid
        gid = info.st_gid
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        size = Int64(info.st_size)
        sourceInode = UInt64(info.st_ino)
        sourceChangedNanoseconds = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        self.object = object
        self.target = target
    }

    /// Whether `info` describes the same, unchanged source file this entry was captured from.
    func isUnchanged(_ info: stat) -> Bool {
        kind == .file && UInt64(info.st_ino) == sourceInode && Int64(info.st_size) == size
            && Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec) == modifiedNanoseconds
            && Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec) == sourceChangedNanoseconds
    }
}

/// The index of a snapshot's tree: one line per entry, fields separated by tabs, with tab, newline and
/// backslash escaped in the two text fields (paths and link targets may hold any byte but NUL and, for
/// names, `/`).
enum TreeIndex {
    static let fileName = "index"

    static func encode(_ entries: [TreeEntry]) -> String {
        var text = "mlgym-tree 1\n"
        for entry in entries {
            let fields = [
                entry.kind.rawValue, String(entry.mode, radix: 8), String(entry.uid), String(entry.gid),
                String(entry.modifiedNanoseconds), String(entry.size), String(entry.sourceInode),
                String(entry.sourceChangedNanoseconds), entry.object, escape(entry.path), escape(entry.target),
            ]
            text += fields.joined(separator: "\t") + "\n"
        }
        return text
    }

    /// The entries of `text`, or nil when it is not an index this version wrote.
    static func decode(_ text: String) -> [TreeEntry]? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "mlgym-tree 1" else { return nil }
        lines.removeFirst()
        var entries: [TreeEntry] = []
        for line in lines where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 11, let kind = TreeEntry.Kind(rawValue: String(fields[0])),
                  let mode = UInt32(fields[1], radix: 8), let uid = UInt32(fields[2]), let gid = UInt32(fields[3]),
                  let modified = Int64(fields[4]), let size = Int64(fields[5]), let inode = UInt64(fields[6]),
                  let changed = Int64(fields[7]), let path = unescape(fields[9]), let target = unescape(fields[10])
            else { return nil }
            var entry = TreeEntry(kind: kind, path: path, info: stat(), object: String(fields[8]), target: target)
            entry.mode = mode
            entry.uid = uid
            entry.gid = gid
            entry.modifiedNanoseconds = modified
            entry.size = size
            entry.sourceInode = inode
            entry.sourceChangedNanoseconds = changed
            entries.append(entry)
        }
        return entries
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    static func unescape(_ text: Substring) -> String? {
        var result = ""
        var escaped = false
        for character in text.unicodeScalars {
            if escaped {
                switch character {
                case "\\": result += "\\"
                case "t": result += "\t"
                case "n": result += "\n"
                default: return nil
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.unicodeScalars.append(character)
            }
        }
        return escaped ? nil : result
    }
}
